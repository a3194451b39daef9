#!/usr/bin/env bash
# Makes this machine ready for the compose lab, and does nothing that is already done:
#   1. the Docker engine and compose v1 from Debian's packages (docker.io, docker-compose);
#   2. compose v2 as the `docker compose` plugin, from Debian's newer docker-compose package,
#      unpacked beside v1 (v1 stays `docker-compose`) -- skip with TOTEM_COMPOSE_V2=0;
#   3. dockerd started when it is not running;
#   4. the two base images the Dockerfile names. They are pulled when a registry answers. When none
#      does, they are made here under the same names, so the unchanged Dockerfile builds:
#        mcr.microsoft.com/dotnet/aspnet:10.0  Debian minbase + this machine's .NET runtimes
#        mcr.microsoft.com/dotnet/sdk:10.0     the same + this machine's .NET SDK
#      and they trust the CA certificates this machine adds (/usr/local/share/ca-certificates),
#      so that `dotnet restore` inside `docker build` reaches the same package feed as the host.
# Run as root. Environment: TOTEM_COMPOSE_V2=0 (no v2), TOTEM_REBUILD_BASE=1 (remake local base
# images), TOTEM_PULL_TIMEOUT=seconds (registry probe, default 20).
set -euo pipefail

SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
LOCAL_LABEL=org.totem.lab.local-base
DOTNET_ROOT_HOST=${DOTNET_ROOT_HOST:-/usr/share/dotnet}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/totem-dockerd.log}

log() { printf '[docker-setup] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts dockerd)"
started=$(date +%s)

apt_updated=0
apt_install() {
    if [ "$apt_updated" = 0 ]; then
        log "apt-get update"
        apt-get update -qq
        apt_updated=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The Debian mirror and release this machine's apt already uses; the local images use the same.
debian_mirror() {
    apt-cache policy 2>/dev/null | awk -v s="$1/main" '$3 == s && $2 ~ /^https?:/ { print $2; exit }'
}

# --- 1. packages ----------------------------------------------------------------------------
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v iptables >/dev/null || missing+=(iptables)
command -v nsenter >/dev/null || missing+=(util-linux)
command -v jq >/dev/null || missing+=(jq)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

# --- 2. compose v2 --------------------------------------------------------------------------
if [ "${TOTEM_COMPOSE_V2:-1}" != 0 ] && ! docker compose version >/dev/null 2>&1; then
    mirror=$(debian_mirror bookworm)
    [ -n "$mirror" ] || mirror=$(apt-cache policy 2>/dev/null | awk '$2 ~ /^https?:.*\/debian\/?$/ { print $2; exit }')
    if [ -z "$mirror" ]; then
        log "compose v2: no Debian mirror in apt's sources; skipping (v1 docker-compose only)"
    else
        tmp=$(mktemp -d)
        # A private apt state: the system's sources and lists are left as they are.
        echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$tmp/sources.list"
        mkdir -p "$tmp/lists/partial" "$tmp/debs"
        apto=(-o "Dir::Etc::sourcelist=$tmp/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$tmp/lists")
        log "compose v2: fetching Debian trixie's docker-compose package"
        if apt-get "${apto[@]}" update -qq >/dev/null 2>&1 &&
            (cd "$tmp/debs" && apt-get "${apto[@]}" download docker-compose >/dev/null 2>&1); then
            dpkg-deb -x "$tmp"/debs/docker-compose_*.deb "$tmp/x"
            install -D -m 0755 "$tmp/x/usr/libexec/docker/cli-plugins/docker-compose" \
                /usr/local/lib/docker/cli-plugins/docker-compose
            log "compose v2: $(docker compose version)"
        else
            log "compose v2: package not reachable; v1 docker-compose only"
        fi
        rm -rf "$tmp"
    fi
fi

# --- 3. the daemon ----------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
    log "starting dockerd (log: $DOCKERD_LOG)"
    setsid dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
    for _ in $(seq 120); do
        docker info >/dev/null 2>&1 && break
        sleep 0.5
    done
    docker info >/dev/null 2>&1 || die "dockerd did not come up; see $DOCKERD_LOG"
fi
log "docker engine $(docker version -f '{{.Server.Version}}'), compose v1 $(docker-compose version --short 2>/dev/null || echo none), v2 $(docker compose version --short 2>/dev/null || echo none)"

# --- 4. base images ---------------------------------------------------------------------------
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
is_local() { [ "$(docker image inspect -f "{{index .Config.Labels \"$LOCAL_LABEL\"}}" "$1" 2>/dev/null)" = 1 ]; }

need_local=0
for image in "$SDK_IMAGE" "$RUNTIME_IMAGE"; do
    if have_image "$image" && ! { [ "${TOTEM_REBUILD_BASE:-0}" = 1 ] && is_local "$image"; }; then
        log "$image: present$(is_local "$image" && echo ' (made locally)')"
    elif [ "${TOTEM_REBUILD_BASE:-0}" != 1 ] && timeout "${TOTEM_PULL_TIMEOUT:-20}" docker pull -q "$image" >/dev/null 2>&1; then
        log "$image: pulled"
    else
        need_local=1
    fi
done
if [ "$need_local" = 0 ]; then
    log "ready in $(($(date +%s) - started)) s"
    exit 0
fi

log "no registry answers: making the base images from Debian packages and this machine's .NET"
[ -x "$DOTNET_ROOT_HOST/dotnet" ] || die "no .NET at $DOTNET_ROOT_HOST (set DOTNET_ROOT_HOST)"
command -v debootstrap >/dev/null || apt_install debootstrap
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
mirror=$(debian_mirror "$suite")
[ -n "$mirror" ] || die "no Debian mirror for $suite in apt's sources"

work=$(mktemp -d /var/tmp/totem-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
log "debootstrap --variant=minbase $suite ($mirror)"
# libssl3 and libicu72 are what .NET needs beyond minbase; ca-certificates for HTTPS feeds.
debootstrap --variant=minbase --include=libssl3,libicu72,ca-certificates "$suite" "$root" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }

# Trust what the build host trusts (a no-op where it adds no CA of its own).
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi
chroot "$root" update-ca-certificates >/dev/null 2>&1
# The official images carry a non-root user `app` (uid 1654) and run as root by default.
chroot "$root" groupadd -g 1654 app
chroot "$root" useradd -u 1654 -g app -m -d /home/app -s /bin/sh app
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*

runtime_version=$(ls "$DOTNET_ROOT_HOST/shared/Microsoft.NETCore.App" | sort -V | tail -1)
aspnet_version=$(ls "$DOTNET_ROOT_HOST/shared/Microsoft.AspNetCore.App" | sort -V | tail -1)
sdk_version=$(ls "$DOTNET_ROOT_HOST/sdk" | sort -V | tail -1)
common_env=(
    -c "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    -c "ENV APP_UID=1654" -c "ENV ASPNETCORE_HTTP_PORTS=8080" -c "ENV DOTNET_RUNNING_IN_CONTAINER=true"
    -c "ENV DOTNET_VERSION=$runtime_version" -c "ENV ASPNET_VERSION=$aspnet_version"
    -c "LABEL $LOCAL_LABEL=1" -c "WORKDIR /"
)
import() { # image, extra --change args...
    local image=$1; shift
    tar --numeric-owner -C "$root" -c . | docker import "${common_env[@]}" "$@" - "$image" >/dev/null
    log "$image: made locally ($(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%d MB", $1 / 1e6 }'))"
}

mkdir -p "$root/usr/share/dotnet"
cp -a "$DOTNET_ROOT_HOST"/{dotnet,host,shared,LICENSE.txt,ThirdPartyNotices.txt} "$root/usr/share/dotnet/" 2>/dev/null ||
    cp -a "$DOTNET_ROOT_HOST"/{dotnet,host,shared} "$root/usr/share/dotnet/"
ln -sf /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"
import "$RUNTIME_IMAGE" -c 'CMD ["bash"]'

for part in sdk packs templates sdk-manifests metadata; do
    [ -e "$DOTNET_ROOT_HOST/$part" ] && cp -a "$DOTNET_ROOT_HOST/$part" "$root/usr/share/dotnet/"
done
import "$SDK_IMAGE" -c 'CMD ["bash"]' -c "ENV DOTNET_SDK_VERSION=$sdk_version" \
    -c "ENV DOTNET_GENERATE_ASPNET_CERTIFICATE=false" -c "ENV DOTNET_NOLOGO=true" \
    -c "ENV DOTNET_CLI_TELEMETRY_OPTOUT=1" -c "ENV DOTNET_USE_POLLING_FILE_WATCHER=true" \
    -c "ENV NUGET_XMLDOC_MODE=skip"

log "ready in $(($(date +%s) - started)) s"
