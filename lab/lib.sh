# Shared by the lab scripts (sourced, not run). Finds the compose command and the lab's node
# containers. A NODE argument is a replica number (3: the third `node` replica) or a container
# name or id. The project is the one started from this repository (compose's labels say which),
# or COMPOSE_PROJECT_NAME when set.

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_SERVICE=node
# Every rule the lab adds carries this comment, so that heal removes exactly those.
LAB_TAG=totem-lab

lab_die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 2; }

# The compose command: COMPOSE if set, else v2 (`docker compose`), else v1 (`docker-compose`).
lab_compose_cmd() {
    if [ -n "${COMPOSE:-}" ]; then
        echo "$COMPOSE"
    elif docker compose version >/dev/null 2>&1; then
        echo "docker compose"
    elif command -v docker-compose >/dev/null; then
        echo docker-compose
    else
        lab_die "no docker compose (run lab/docker-setup.sh)"
    fi
}

# The label filters that select this lab's node containers.
lab_filters() {
    printf '%s\n' --filter "label=com.docker.compose.service=$LAB_SERVICE"
    if [ -n "${COMPOSE_PROJECT_NAME:-}" ]; then
        printf '%s\n' --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"
    else
        printf '%s\n' --filter "label=com.docker.compose.project.working_dir=$LAB_ROOT"
    fi
}

# Container ids of the lab's nodes (all states with -a), ordered by replica number.
lab_containers() {
    local filters
    mapfile -t filters < <(lab_filters)
    docker ps -q "$@" "${filters[@]}" |
        while read -r id; do
            printf '%s %s\n' "$(docker inspect -f '{{index .Config.Labels "com.docker.compose.container-number"}}' "$id")" "$id"
        done | sort -n | awk '{ print $2 }'
}

# NODE (replica number, name or id) -> container id; fails with a clear message.
lab_container() {
    local node=$1 id
    if [[ $node =~ ^[0-9]+$ ]]; then
        local filters
        mapfile -t filters < <(lab_filters)
        id=$(docker ps -aq "${filters[@]}" --filter "label=com.docker.compose.container-number=$node")
        [ -n "$id" ] || lab_die "no replica $node of service '$LAB_SERVICE' (is the lab up? lab/nodes.sh lists them)"
        [ "$(wc -w <<<"$id")" = 1 ] || lab_die "replica $node is ambiguous (several projects): set COMPOSE_PROJECT_NAME"
    else
        id=$(docker inspect -f '{{.Id}}' "$node" 2>/dev/null) || lab_die "no container '$node'"
    fi
    echo "$id"
}

lab_name() { docker inspect -f '{{.Name}}' "$1" | sed 's|^/||'; }
lab_replica() { docker inspect -f '{{index .Config.Labels "com.docker.compose.container-number"}}' "$1"; }
lab_ip() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$1" | awk '{ print $1 }'; }

# Every address of a node, one per network (both links' in the two-network lab).
lab_ips() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$1"; }

# A node's address on link LINK's network (compose's PROJECT_ringLINK); empty when it has none.
lab_link_ip() {
    docker inspect -f '{{range $name, $net := .NetworkSettings.Networks}}{{$name}} {{$net.IPAddress}}{{"\n"}}{{end}}' "$1" |
        awk -v suffix="_ring$2" 'length($1) > length(suffix) && substr($1, length($1) - length(suffix) + 1) == suffix { print $2; exit }'
}

# The interface inside a running node that holds its link-LINK address (eth0, eth1, ...).
lab_link_dev() {
    local id=$1 link=$2 ip dev
    ip=$(lab_link_ip "$id" "$link")
    [ -n "$ip" ] || lab_die "$(lab_name "$id") has no address on link $link's network (is the lab's compose file the two-network one?)"
    dev=$(nsenter -t "$(lab_pid "$id")" -n ip -o -4 addr show | awk -v ip="$ip" '{ split($4, a, "/"); if (a[1] == ip) { print $2; exit } }')
    [ -n "$dev" ] || lab_die "$(lab_name "$id"): no interface holds $ip (link $link)"
    echo "$dev"
}

# The PID of a running container, for nsenter into its network namespace.
lab_pid() {
    local pid
    pid=$(docker inspect -f '{{.State.Pid}}' "$1")
    [ "$pid" != 0 ] || lab_die "$(lab_name "$1") is not running"
    echo "$pid"
}

# iptables inside a node's network namespace, with the host's iptables: the image needs no tools.
lab_iptables() {
    local id=$1
    shift
    nsenter -t "$(lab_pid "$id")" -n iptables "$@"
}

lab_running() { [ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }

# Removes the rules tagged LAB_TAG (and optionally only those whose comment is "$LAB_TAG:KIND").
# A node that stops meanwhile (a fenced node restarting) lost its network namespace and its rules with
# it: that is not an error, and if it already runs again, its new namespace is cleared (it has none).
lab_clear_rules() {
    local rc errexit=${-//[^e]/}
    # Not `( ... ) || ...`: bash ignores set -e inside such a list, and a failed iptables would go unnoticed.
    set +e
    (set -e; lab_clear_rules_now "$@") 2>/dev/null
    rc=$?
    [ -z "$errexit" ] || set -e
    [ "$rc" = 0 ] && return 0
    lab_running "$1" || return 0
    lab_clear_rules_now "$@"
}

lab_clear_rules_now() {
    local id=$1 kind=${2:-} chain rule
    for chain in INPUT OUTPUT; do
        { lab_iptables "$id" -S "$chain" | grep -- "--comment \"\\?$LAB_TAG${kind:+:$kind}" || true; } |
            while read -r rule; do
                # "-A CHAIN spec" -> "-D CHAIN spec"; eval undoes iptables' quoting of the comment.
                eval "lab_iptables \"\$id\" -D ${rule#-A }"
            done
    done
}

lab_require_root() { [ "$(id -u)" = 0 ] || lab_die "needs root (nsenter into the node's network namespace)"; }

# --- the image (tests/e2e/run.sh, tests/swarm/run.sh) ------------------------------------------------
lab_image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null; }
lab_dangling() { docker images -aq --no-trunc --filter dangling=true | sort -u; }

# Builds IMAGE from docker-compose.yml's `node` service, and removes the image it replaced.
# With BuildKit (compose v2's builder) a build leaves no intermediate images; the one it replaces under
# IMAGE would be left untagged, so it is removed (unless a container still uses it). Compose v1 builds
# with the legacy builder, which leaves each stage's image untagged: those made by this build are removed too.
lab_build_image() { # compose command, project, image
    local compose=$1 project=$2 image=$3 before stages
    before=$(lab_image_id "$image")
    stages=$(lab_dangling)
    # Only `node`: compose v2 labels an image with the service it built it for, so building `authkey`
    # too would make a second image under the same name and leave one of the two untagged.
    # shellcheck disable=SC2086 # the compose command may be two words and carry -f options
    TOTEM_IMAGE=$image $compose -p "$project" build node || return
    [ -z "$before" ] || [ "$before" = "$(lab_image_id "$image")" ] || docker rmi "$before" >/dev/null 2>&1 || true
    [ "${compose%% *}" != docker-compose ] || comm -13 <(echo "$stages") <(lab_dangling) | grep . | xargs -r docker rmi >/dev/null 2>&1 || true
}
