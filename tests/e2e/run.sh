#!/usr/bin/env bash
# End-to-end test of the compose lab, played the way lab/README.md tells a user to:
#
#   sudo tests/e2e/run.sh
#
#  1. lab/docker-setup.sh: Docker engine + compose v1/v2 from Debian's packages, dockerd, and the
#     base images (made locally when no registry answers);
#  2. builds the image with the repository's Dockerfile (through docker-compose.yml);
#  3. up 5 nodes -> each reports the same 5 members, quorate, expected votes 5; all healthy;
#  4. docker kill one -> the other four log "A processor failed, forming new configuration" and
#     "A new membership", report 4 members and stay quorate; the time from the kill to the new
#     membership is measured; the killed container stays down;
#  5. docker kill two more -> the two survivors lose quorum, fence themselves (exit code 75),
#     are restarted by the restart policy and stay non-quorate;
#  6. docker start the three killed ones -> one ring of 5, quorate; then lab/partition.sh 1,2 ->
#     {3,4,5} quorate, {1,2} not; healed -> 5; lab/pause.sh 3 -> a ring of 4; thawed -> 5;
#  6c. the two networks (knet's links 0 and 1, issue 13): lab/cut-link.sh 3 0 -> link 0 to node 3 down
#     ("link: host: 3 link: 0 is down"), traffic moves to link 1, no membership change; then link 1 too
#     -> token loss, a ring of 4 without node 3; lab/heal.sh -> 5 again;
#  7. up --scale node=7 -> 7 members, expected votes 7;
#  8. removes everything it created (containers, network, volumes, and any image its build left
#     untagged); what stays is the base images and the image it built, under its own name, so the
#     user's totem-lab/node:latest is neither rebuilt nor re-tagged;
#  and, when both compose versions are installed, a shorter run with the other one (up 5, scale 7).
#
# Prints the durations and the measured detection time, and ends with "N passed, N failed";
# exits non-zero when any assertion failed. Runs as root (installs packages, starts dockerd).
# Environment:
#   COMPOSE="docker compose" | "docker-compose"   use only this compose (default: v2, then v1 smoke)
#   TOTEM_E2E_PROJECT=toteme2e the compose project (the other compose version's run adds "v1"); two
#                              runs side by side need two names and two subnets
#   TOTEM_E2E_SUBNET=172.28.250.0/24, TOTEM_E2E_SUBNET_V1=172.28.251.0/24   the ring0 networks' subnets
#   TOTEM_E2E_RING1_SUBNET=172.28.252.0/24, TOTEM_E2E_RING1_SUBNET_V1=172.28.253.0/24   the ring1 networks' subnets
#   TOTEM_E2E_IMAGE=totem-lab/node:e2e   the image it builds and runs (and leaves, for a fast rebuild)
#   TOTEM_E2E_SKIP_SETUP=1     do not run lab/docker-setup.sh
#   TOTEM_E2E_KEEP=1           leave the containers up when an assertion fails (for debugging)
#   TOTEM_E2E_FENCE_CODE=75    the exit code of a fenced totemd
#   TOTEM_E2E_TIMEOUT_FACTOR=1 multiplies every wait's time limit (slower machines: 2)
#   TOTEM_TOKEN, TOTEM_CONSENSUS, TOTEM_FENCING_TIMEOUT, ...   passed to the nodes (docker-compose.yml)
set -uo pipefail
{ # The whole script is one block, read before it runs: editing the file mid-run cannot derail it.

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PROJECT=${TOTEM_E2E_PROJECT:-toteme2e}
P1=$PROJECT P2=${PROJECT}v1 # the projects of the main run and of the other compose version's run
FENCE_CODE=${TOTEM_E2E_FENCE_CODE:-75}
OUT=$(mktemp -d /tmp/totem-e2e.XXXXXX)
t_start=$(date +%s.%N)
CHECKS_NAME=e2e TOTEM_TEST_TIMEOUT_FACTOR=${TOTEM_E2E_TIMEOUT_FACTOR:-1}
. "$ROOT/tests/lib/checks.sh"
replica_of() { lab_replica "$1"; }
finish() {
    local total
    total=$(elapsed "$t_start")
    echo
    echo "durations: setup ${d_setup:-n/a} s, image build ${d_build:-n/a} s, scenario ${d_scenario:-n/a} s, total $total s"
    echo "health check: totemctl quorum --check median ${d_ctl_median:-n/a} ms, max ${d_ctl_max:-n/a} ms (20 runs in a node); after a fencing restart ${h_status:-n/a} in ${d_health:-n/a} s (interval ${h_interval:-n/a} s)"
    echo "links: cut ring0 of node 3 -> link down logged ${d_link_down:-n/a} s; both links cut -> new membership ${d_both_membership:-n/a} s"
    echo "detection: kill -> token loss logged ${d_token_loss:-n/a} s, kill -> new membership ${d_membership:-n/a} s (effective token + consensus = ${d_expected:-n/a} s); after the reload ${d_membership_reload:-n/a} s (${d_expected_reload:-n/a} s)"
    echo "runtime token/consensus by replica: at 5 ${rt_at_5:-n/a}; at 7 ${rt_before_reload:-n/a}; after the reload ${rt_after_reload:-n/a}"
    echo "details: $OUT"
    echo "$passed passed, $failed failed"
    exit $((failed > 0)) # explicit: a bare exit in an EXIT trap returns the status from before the trap
}

. "$ROOT/lab/lib.sh"
[ "$(id -u)" = 0 ] || { echo "run as root (sudo tests/e2e/run.sh)" >&2; exit 2; }

# --- the cluster's view, from each node's own control API (tests/lib/checks.sh) ------------------
status() { node_status "$@"; }
# Replica numbers -> container ids in this project.
containers() { local r; for r in "$@"; do COMPOSE_PROJECT_NAME=$PROJECT lab_container "$r"; done; }
# The container of a one-replica service (authkey, dashboard), running or exited.
service_container() { docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1" | head -1; }
# Every listed replica answers and reports: exactly the listed replicas as members (by the node
# ids they report themselves), the same ring, state operational, the given quorate flag, and
# (optionally) the given expected votes.
ring_is() { # quorate(true|false), expected-votes|-, replica...
    local quorate=$1 expected=$2 cs
    shift 2
    cs=$(containers "$@") || return 1
    # shellcheck disable=SC2086 # one word per container id
    ring_of "$quorate" "$expected" $cs
}
all_healthy() { local c; for c in $(containers "$@"); do [ "$(docker inspect -f '{{.State.Health.Status}}' "$c")" = healthy ] || return 1; done; }
logs_have() { # text, replica...: every listed node logged the text (no grep -q: with pipefail, its early exit fails the pipe)
    local text=$1 c
    shift
    for c in $(containers "$@"); do docker logs "$c" 2>&1 | grep -F -- "$text" >/dev/null || { echo "$(lab_name "$c") did not log: $text"; return 1; }; done
}
logs_since_have() { # since, text, replica...: every listed node logged the text since the time
    local since=$1 text=$2 c
    shift 2
    for c in $(containers "$@"); do docker logs --since "$since" "$c" 2>&1 | grep -F -- "$text" >/dev/null || { echo "$(lab_name "$c") did not log since $since: $text"; return 1; }; done
}
logs_have_some() { # text, replica...: at least one listed node logged the text (corosync logs the token
    # timeout only where the timer expired; the others enter gather on the first join they receive)
    local text=$1 c
    shift
    for c in $(containers "$@"); do docker logs "$c" 2>&1 | grep -F -- "$text" >/dev/null && return 0; done
    echo "none of replicas $* logged: $text"
    return 1
}
state_is() { # state, replica...
    local want=$1 c
    shift
    for c in $(containers "$@"); do [ "$(docker inspect -f '{{.State.Status}}' "$c")" = "$want" ] || return 1; done
}
restarts_of() { docker inspect -f '{{.RestartCount}}' "$(containers "$1")"; }
# Exit codes with which a container died since a time (docker's own record of each exit).
exits_since() { # since (unix s), replica
    docker events --since "$1" --until "$(date +%s.%N)" --filter "container=$(containers "$2")" \
        --filter event=die --format '{{index .Actor.Attributes "exitCode"}}'
}
fenced_and_back() { # since, replica...: each died with the fencing code and runs again
    local since=$1 r
    shift
    for r in "$@"; do
        exits_since "$since" "$r" | grep -x "$FENCE_CODE" >/dev/null || { echo "replica $r: no exit $FENCE_CODE since $since"; return 1; }
        state_is running "$r" || return 1
    done
}
# Seconds from a time to the first log line of a replica containing the text (docker's timestamps).
log_delay() { log_delay_of "$1" "$(containers "$2")" "$3"; } # since (unix s.ns), replica, text
# Effective token + consensus as the node computed them (cmap keys), in seconds.
expected_detection() { detection_of "$(containers "$1")"; } # replica
# Every listed replica reads one key, mode 400 (from the authkey volume).
same_key() { same_key_in $(containers "$@"); } # replica...

# The wrong-key node (docker-compose.yml's `intruder` service): its name ends in 9, its node id.
INTRUDER=${PROJECT}-intruder-9
intruder_alone() { # it answers, and its ring is itself only, not quorate
    status "$INTRUDER" | tee "$OUT/intruder-status.json" | jq -e '.members == [9] and .quorate == false' >/dev/null
}
intruder_refused_both_ways() { # the intruder and at least one ring node logged knet's refusal of the other's datagrams
    local ip
    ip=$(lab_ip "$INTRUDER")
    docker logs "$INTRUDER" 2>&1 | grep -F "Unable to decrypt/auth packet from" >/dev/null || { echo "intruder: no refusal logged"; return 1; }
    logs_have_some "Unable to decrypt/auth packet from $ip:" 1 2 3 4 5
}

save_logs() {
    local c
    for c in $(docker ps -aq --filter "label=com.docker.compose.project=$1"); do
        docker logs -t "$c" >"$OUT/$(lab_name "$c").log" 2>&1
    done
}
down() { # compose command, project
    save_logs "$2"
    $1 -p "$2" down -v --remove-orphans >>"$OUT/compose.log" 2>&1
}
cleanup() {
    if [ "${TOTEM_E2E_KEEP:-0}" = 1 ] && [ "$failed" != 0 ]; then
        say "TOTEM_E2E_KEEP=1: leaving project $PROJECT up"
        return
    fi
    docker rm -f "$INTRUDER" >/dev/null 2>&1
    [ -n "${C2:-}" ] && down "$C2" "$P2"
    [ -n "${C1:-}" ] && down "$C1" "$P1"
}
trap 'cleanup; finish' EXIT
trap 'exit 130' INT TERM

# --- 1. setup -----------------------------------------------------------------------------------
if [ "${TOTEM_E2E_SKIP_SETUP:-0}" != 1 ]; then
    say "lab/docker-setup.sh"
    t=$(date +%s.%N)
    check "lab/docker-setup.sh prepares docker, compose and the base images" bash "$ROOT/lab/docker-setup.sh"
    d_setup=$(elapsed "$t")
    [ "$failed" = 0 ] || exit 1
fi
if [ -n "${COMPOSE:-}" ]; then
    C1=$COMPOSE C2=
elif docker compose version >/dev/null 2>&1; then
    C1="docker compose"
    command -v docker-compose >/dev/null && C2=docker-compose || C2=
else
    C1=docker-compose C2=
fi
say "compose: $C1 ($($C1 version --short 2>/dev/null))${C2:+, smoke run with $C2 ($($C2 version --short 2>/dev/null))}"
# The main run's nodes read their config from a bind mount, as lab/README.md section 11 tells a user to
# do for tuning by reload: a copy of hocon/ (the image's /etc/totem) that step 7b edits. The other compose
# version's run keeps the file baked into the image.
cp -r "$ROOT/hocon" "$OUT/hocon"
cat >"$OUT/compose.reload.yml" <<YAML
services:
  node:
    volumes:
      - $OUT/hocon:/etc/totem:ro
YAML
C1="$C1 -f $ROOT/docker-compose.yml -f $OUT/compose.reload.yml"
# A subnet of its own, so the test can run beside a user's lab.
export TOTEM_SUBNET=${TOTEM_E2E_SUBNET:-172.28.250.0/24} TOTEM_RING1_SUBNET=${TOTEM_E2E_RING1_SUBNET:-172.28.252.0/24} TOTEM_INTRUDER=$INTRUDER
# The dashboard's page on a port of its own too (docker-compose.yml's "${TOTEM_DASHBOARD_PORT}:8405"): a user's
# lab on the host's 8405 would otherwise make every `up` fail ("Bind for 0.0.0.0:8405 failed: port is already
# allocated"). "127.0.0.1:" is "127.0.0.1::8405", a free port on loopback that docker picks.
export TOTEM_DASHBOARD_PORT=${TOTEM_E2E_DASHBOARD_PORT:-127.0.0.1:}
# An image name of its own (docker-compose.yml's TOTEM_IMAGE): the user's totem-lab/node:latest is
# not rebuilt from this checkout nor left untagged by the build.
IMAGE=${TOTEM_E2E_IMAGE:-totem-lab/node:e2e}
export TOTEM_IMAGE=$IMAGE
user_image_before=$(lab_image_id totem-lab/node:latest)
dangling_before=$(lab_dangling)
$C1 -p "$PROJECT" down -v --remove-orphans >/dev/null 2>&1

# --- 2. build (lab/lib.sh's lab_build_image: BuildKit, only `node`, no image left untagged) ----------
say "building the image ($C1 build, $IMAGE)"
t=$(date +%s.%N)
check "the Dockerfile builds (sdk:10.0 -> aspnet:10.0)" lab_build_image "$C1" "$PROJECT" "$IMAGE"
d_build=$(elapsed "$t")
[ "$failed" = 0 ] || exit 1
check "the image has totemd, totemctl, ip, tc and iptables" \
    docker run --rm --entrypoint sh "$IMAGE" -c 'command -v totemd totemctl ip tc iptables'
check "the image carries no authkey" docker run --rm --entrypoint sh "$IMAGE" -c '! ls -d /etc/corosync 2>/dev/null'
# NativeAOT: one native file, no totemctl.dll for a runtime to load (the health check runs it every interval).
check "the image's totemctl is a native program (NativeAOT)" \
    docker run --rm --entrypoint sh "$IMAGE" -c '[ -x /opt/totem/totemctl ] && [ ! -e /opt/totem/totemctl.dll ] && totemctl --help >/dev/null'

t_scenario=$(date +%s.%N)
# --- 3. five nodes ------------------------------------------------------------------------------
say "up -d: 5 nodes"
check "$C1 up -d starts 5 replicas" $C1 -p "$PROJECT" up -d --no-build
d=$(wait_for 120 ring_is true 5 1 2 3 4 5) && pass "5 members, quorate, expected votes 5 on every node (after $d s)" ||
    fail "5 members, quorate, expected votes 5 on every node: $(tail -1 "$OUT/wait.log")"
# The dashboard (issue 14) as a browser reaches it, through its published port: one second of /events has a
# "sample" from each of n nodes, every one naming n members. HTTP/1.0, so the stream is not chunked.
dashboard_sees() { # n
    local hostport
    hostport=$(docker port "$(service_container dashboard)" 8405/tcp | head -1)
    [ -n "$hostport" ] || { echo "the dashboard has no published port"; return 1; }
    timeout 3 bash -c 'exec 3<>/dev/tcp/${0%:*}/${0##*:}; printf "GET /events HTTP/1.0\r\n\r\n" >&3; cat <&3' "$hostport" \
        >"$OUT/dashboard.events" 2>&1
    awk '/^event: sample/ { s = 1; next } s && /^data: / { sub(/^data: /, ""); print; s = 0 }' "$OUT/dashboard.events" |
        jq -s -e --argjson n "$1" '(map(.node) | unique | length) == $n and all(.[]; (.members | length) == $n)' >/dev/null ||
        { echo "dashboard at $hostport: $(grep -c '^event: sample' "$OUT/dashboard.events") samples"; tail -c 600 "$OUT/dashboard.events"; return 1; }
}
distinct_ids() { # n: the last statuses name n distinct numeric node ids
    [ "$(cat "$OUT"/last-status.* | jq -r '.nodeId | numbers' | sort -u | wc -l)" = "$1" ]
}
# Issue 19: one timing per ring (sized by expected votes, not by each node's DNS answer at start), and
# every node named and addressed in `status` as pvecm shows them.
same_timing() { # replica...: every node runs the same effective token + consensus
    local r t
    t=$(for r in "$@"; do expected_detection "$r"; echo; done | grep . | sort -u)
    echo "token + consensus (s) by node: $t"
    [ -n "$t" ] && [ "$(wc -l <<<"$t")" = 1 ]
}
nodes_named() { # n: a fresh status of replicas 1..n shows n quorum nodes, each with a name and an address
    local f
    ring_is true - $(seq 1 "$1") >/dev/null || return 1
    for f in $(seq 1 "$1" | sed "s|^|$OUT/last-status.|"); do
        jq -e --argjson n "$1" '(.nodes | length) == $n and ([.nodes[] | select((.name // "") == "" or (.address // "") == "")] | length) == 0' "$f" >/dev/null ||
            { echo "$f: $(jq -c '[.nodes[] | {nodeId, name, address}]' "$f")"; return 1; }
    done
}
# Issue 19 point 1: what every replica runs (runtime.config.totem.token and consensus, as corosync-cmapctl
# shows them) is what its config promises (totemctl timeouts --config, sized by the configured ring), and
# what `totemctl timeouts` without --config, asking the node, prints.
runtime_of() { # replica: "TOKEN CONSENSUS" from the node's runtime keys
    docker exec "$(containers "$1")" totemctl --json runtime runtime.config.totem. 2>/dev/null |
        jq -r '[.entries[] | select(.key | test("^runtime\\.config\\.totem\\.(token|consensus)$")) | {(.key | ltrimstr("runtime.config.totem.")): .value}]
               | add | "\(.token) \(.consensus)"'
}
timeouts_of() { # replica, totemctl timeouts arguments...: "TOKEN CONSENSUS" it derives
    local c
    c=$(containers "$1")
    shift
    docker exec "$c" totemctl --json timeouts "$@" 2>/dev/null | jq -r '"\(.timeouts.token) \(.timeouts.consensus)"'
}
runtime_table() { # replica...: "1=4950/5940 2=..." for the log and the note
    local r
    for r in "$@"; do printf '%s=%s ' "$r" "$(runtime_of "$r" | tr ' ' /)"; done
}
run_as_promised() { # token, consensus, replica...: every node runs exactly these, as its file and `totemctl timeouts` say
    local want="$1 $2" r ran file asked
    shift 2
    for r in "$@"; do
        ran=$(runtime_of "$r") file=$(timeouts_of "$r" --config /etc/totem/compose.conf) asked=$(timeouts_of "$r")
        echo "replica $r: runtime $ran, timeouts --config $file, timeouts (the node) $asked; want $want"
        [ "$ran" = "$want" ] && [ "$file" = "$want" ] && [ "$asked" = "$want" ] || return 1
    done
}
check "the 5 nodes have 5 distinct node ids" distinct_ids 5
d=$(wait_for 30 dashboard_sees 5) && pass "the dashboard's published page shows the 5 nodes, 5 members each (after $d s)" ||
    fail "the dashboard's published page shows the 5 nodes: $(tail -3 "$OUT/wait.log" | tr '\n' ' ')"
check "every node runs the same token + consensus" same_timing 1 2 3 4 5
# corosync's defaults for TOTEM_EXPECTED_VOTES nodes unless the caller's environment tunes them.
read -r want_token want_consensus <<<"$(timeouts_of 1 --config /etc/totem/compose.conf)"
rt_at_5=$(runtime_table 1 2 3 4 5)
say "runtime.config.totem token/consensus by replica: $rt_at_5"
check "every replica runs token $want_token, consensus $want_consensus (runtime keys = totemctl timeouts --config = totemctl timeouts)" \
    run_as_promised "$want_token" "$want_consensus" 1 2 3 4 5
# Names come from discovery's reverse lookups, one interval (2 s) after the start at the latest.
d=$(wait_for 30 nodes_named 5) && pass "status names and addresses all 5 nodes on every node" ||
    fail "status names and addresses all 5 nodes on every node: $(tail -1 "$OUT/wait.log")"
d=$(wait_for 120 all_healthy 1 2 3 4 5) && pass "all 5 healthy (totemctl quorum --check) after $d s" || fail "all 5 healthy"
# The health check's cost: wall time of `totemctl quorum --check` inside a node, 20 runs, timed in the
# container (docker exec's own overhead is not the check's). A figure, printed; the test above is what fails.
ctl_start_ms() { # replica: "median max" in ms over 20 runs
    docker exec "$(containers "$1")" sh -c 'for i in $(seq 20); do s=$(date +%s%N); totemctl quorum --check >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 )); done' |
        sort -n | awk '{ v[NR] = $1 } END { if (NR == 20) printf "%.1f %.1f", (v[10] + v[11]) / 2000, v[20] / 1000 }'
}
read -r d_ctl_median d_ctl_max <<<"$(ctl_start_ms 1)"
say "totemctl quorum --check in a node, 20 runs: median ${d_ctl_median:-?} ms, max ${d_ctl_max:-?} ms"
transport_is() { # transport, replica...: the last statuses and `totemctl status` name it
    local want=$1 r
    shift
    for r in "$@"; do jq -e --arg t "$want" '.transport == $t' "$OUT/last-status.$r" >/dev/null || { echo "replica $r: $(jq -c .transport "$OUT/last-status.$r")"; return 1; }; done
    docker exec "$(containers "$1")" totemctl status | grep -x "Transport: *$want" >/dev/null
}
check "status and totemctl status name the transport the nodes run (knet)" transport_is knet 1 2 3 4 5
authkey_made() { # the one-shot authkey service wrote the key and exited 0
    local c
    c=$(service_container authkey)
    [ "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$c")" = "exited 0" ] &&
        docker logs "$c" 2>&1 | grep -F "Writing corosync key to /etc/corosync/authkey." >/dev/null
}
check "the authkey service made the lab's key once and exited 0" authkey_made
check "the 5 nodes read one key, mode 0400, from the authkey volume" same_key 1 2 3 4 5
check "the 5 nodes logged aes256/sha256 with that key" logs_have "Ring datagrams: crypto_cipher aes256, crypto_hash sha256, key /etc/corosync/authkey (256 bytes)" 1 2 3 4 5

# --- 3b. a node with another key never joins ----------------------------------------------------
say "a node with another key ($INTRUDER, lab/README.md section 7)"
check "the ring of 5 before the intruder" ring_is true 5 1 2 3 4 5
ring_before=$(jq -c .ringId "$OUT/last-status.1")
check "$C1 --profile intruder up -d intruder" $C1 -p "$PROJECT" --profile intruder up -d --no-build intruder
d=$(wait_for 90 intruder_refused_both_ways) && pass "the intruder and the ring log 'Unable to decrypt/auth packet from' each other (after $d s)" ||
    fail "the intruder and the ring log 'Unable to decrypt/auth packet from' each other: $(tail -1 "$OUT/wait.log")"
# Long enough for several join and merge rounds of the intruder (join 50 ms, merge 200 ms, send from its first second).
sleep 15
check "the intruder stays a ring of its own (members [9], not quorate)" intruder_alone
check "the ring is still the same 5 members, quorate" ring_is true 5 1 2 3 4 5
same_ring_as_before() { [ "$ring_before" = "$(jq -c .ringId "$OUT/last-status.1")" ]; }
check "the ring id did not change ($ring_before)" same_ring_as_before
never_joined_9() { # no ring node ever logged node 9 joining
    local c
    for c in $(containers 1 2 3 4 5); do ! docker logs "$c" 2>&1 | grep -E "Members joined:( [0-9]+)* 9( |\$)" || return 1; done
}
check "no ring node logged node 9 joining" never_joined_9
docker logs -t "$INTRUDER" >"$OUT/intruder.log" 2>&1
docker rm -f "$INTRUDER" >/dev/null

# --- 4. kill one --------------------------------------------------------------------------------
d_expected=$(expected_detection 1)
say "docker kill replica 5"
t_kill=$(date +%s.%N)
docker kill "$(containers 5)" >/dev/null
d=$(wait_for 90 ring_is true 5 1 2 3 4) && pass "the other 4 form a ring of 4, quorate (after $d s)" ||
    fail "the other 4 form a ring of 4, quorate: $(tail -1 "$OUT/wait.log")"
check "a survivor logged 'A processor failed, forming new configuration'" logs_have_some "A processor failed, forming new configuration" 1 2 3 4
check "the 4 logged 'A new membership'" logs_have "A new membership" 1 2 3 4
first_log_delay() { # since, text, replica...: the earliest of the replicas' log_delay
    local since=$1 text=$2
    shift 2
    # shellcheck disable=SC2046 # one word per container id
    first_log_delay_of "$since" "$text" $(containers "$@")
}
# Issue 19 point 1's acceptance: corosync's timers give token + consensus from the crash to the new
# membership, less up to one hold (where in its rotation the dead node stopped); 10 % either way.
within_ten_percent() { awk -v m="$1" -v e="$2" 'BEGIN { exit !(m >= 0.9 * e && m <= 1.1 * e) }'; } # measured, expected
d_token_loss=$(first_log_delay "$t_kill" "A processor failed, forming new configuration" 1 2 3 4)
d_membership=$(first_log_delay "$t_kill" "A new membership" 1 2 3 4)
say "kill -> token loss logged ${d_token_loss:-?} s, -> new membership ${d_membership:-?} s (token + consensus: ${d_expected:-?} s)"
if [ -n "$d_expected" ] && [ -n "$d_membership" ]; then
    check "kill -> new membership ${d_membership} s is within 10 % of effective token + consensus ${d_expected} s" within_ten_percent "$d_membership" "$d_expected"
else
    fail "kill -> new membership measured (${d_membership:-none}) against effective token + consensus (${d_expected:-none})"
fi
check "the killed container stays down" state_is exited 5

# --- 5. kill two more: quorum loss and fencing ----------------------------------------------------
say "docker kill replicas 1 and 2"
t_kill2=$(date +%s)
docker kill $(containers 1 2) >/dev/null
d=$(wait_for 90 ring_is false 5 3 4) && pass "the 2 survivors form a ring of 2, not quorate (after $d s)" ||
    fail "the 2 survivors form a ring of 2, not quorate: $(tail -1 "$OUT/wait.log")"
check "the survivors logged the non-primary component" logs_have "non-primary component" 3 4
d=$(wait_for 120 fenced_and_back "$t_kill2" 3 4) && pass "both survivors fenced (exit $FENCE_CODE) and were restarted by the policy (after $d s)" ||
    fail "both survivors fenced (exit $FENCE_CODE) and restarted: $(tail -1 "$OUT/wait.log")"
check "restart counts went up" bash -c "[ $(restarts_of 3) -ge 1 ] && [ $(restarts_of 4) -ge 1 ]"
# The health status after the fencing restart: right (unhealthy: not quorate) at the first probe, one
# interval after the start (docker resets a restarted container's health to "starting"), not after a
# grace period. Docker's events give both times.
health_after_restart() { # since (unix s), replica: "<status> <seconds from the last start to the first health_status after it>"
    local c started health
    c=$(containers "$2")
    started=$(docker events --since "$1" --until "$(date +%s.%N)" --filter "container=$c" --filter event=start --format '{{.TimeNano}}' | tail -1)
    [ -n "$started" ] || return 1
    health=$(docker events --since "$((started / 1000000000))" --until "$(date +%s.%N)" --filter "container=$c" --filter event=health_status \
        --format '{{.TimeNano}} {{.Action}}' | awk -v s="$started" '$1 >= s { print; exit }')
    [ -n "$health" ] || return 1
    awk -v s="$started" -v h="$health" 'BEGIN { split(h, f, " "); printf "%s %.1f", f[3], (f[1] - s) / 1e9 }'
}
read -r h_interval h_timeout <<<"$(docker inspect -f '{{.Config.Healthcheck.Interval.Seconds}} {{.Config.Healthcheck.Timeout.Seconds}}' "$(containers 3)")"
wait_for 30 health_after_restart "$t_kill2" 3 >/dev/null
read -r h_status d_health <<<"$(health_after_restart "$t_kill2" 3)"
say "replica 3 after its fencing restart: health ${h_status:-?} after ${d_health:-?} s (interval ${h_interval:-?} s, timeout ${h_timeout:-?} s)"
health_right_in_one_interval() { # not quorate -> unhealthy, at the first probe: within interval + probe timeout of the start
    [ "$h_status" = unhealthy ] && awk -v d="$d_health" -v i="$h_interval" -v t="$h_timeout" 'BEGIN { exit !(d <= i + t) }'
}
check "a node back from fencing is reported unhealthy within one health interval (${d_health:-?} s)" health_right_in_one_interval
d=$(wait_for 90 ring_is false 5 3 4) && pass "after the restart they are a ring of 2, still not quorate (after $d s)" ||
    fail "after the restart a ring of 2, not quorate: $(tail -1 "$OUT/wait.log")"
check "the three killed containers stay down" state_is exited 1 2 5

# --- 6. start the killed ones ---------------------------------------------------------------------
say "docker start replicas 1, 2 and 5"
docker start $(containers 1 2 5) >/dev/null
d=$(wait_for 120 ring_is true 5 1 2 3 4 5) && pass "one ring of 5 again, quorate (after $d s)" ||
    fail "one ring of 5 again, quorate: $(tail -1 "$OUT/wait.log")"

# --- 6b. a partition and a frozen node, with the lab scripts ------------------------------------
say "lab/partition.sh 1,2 (against 3,4,5)"
t_part=$(date +%s.%N)
check "lab/partition.sh 1,2" env COMPOSE_PROJECT_NAME="$PROJECT" "$ROOT/lab/partition.sh" 1,2
d=$(wait_for 90 ring_is true 5 3 4 5) && pass "the majority side {3,4,5} is a quorate ring of 3 (after $d s)" ||
    fail "the majority side {3,4,5} is a quorate ring of 3: $(tail -1 "$OUT/wait.log")"
# The minority fences 10 s after its new ring: by now it may be restarting, so its logs tell.
d=$(wait_for 60 logs_since_have "$t_part" "left: 3 4 5" 1 2) && pass "the minority side {1,2} formed a ring without 3, 4, 5" ||
    fail "the minority side {1,2} formed a ring without 3, 4, 5: $(tail -1 "$OUT/wait.log")"
check "the minority side logged the non-primary component" logs_since_have "$t_part" "non-primary component" 1 2
check "lab/partition.sh off" env COMPOSE_PROJECT_NAME="$PROJECT" "$ROOT/lab/partition.sh" off
d=$(wait_for 120 ring_is true 5 1 2 3 4 5) && pass "healed: one ring of 5, quorate (after $d s)" ||
    fail "healed: one ring of 5, quorate: $(tail -1 "$OUT/wait.log")"
say "lab/pause.sh 3 (frozen until thawed)"
check "lab/pause.sh 3" env COMPOSE_PROJECT_NAME="$PROJECT" "$ROOT/lab/pause.sh" 3
d=$(wait_for 90 ring_is true 5 1 2 4 5) && pass "without the frozen node: a quorate ring of 4 (after $d s)" ||
    fail "without the frozen node: a quorate ring of 4: $(tail -1 "$OUT/wait.log")"
check "lab/pause.sh 3 off" env COMPOSE_PROJECT_NAME="$PROJECT" "$ROOT/lab/pause.sh" 3 off
d=$(wait_for 120 ring_is true 5 1 2 3 4 5) && pass "thawed: one ring of 5 again (after $d s)" ||
    fail "thawed: one ring of 5 again: $(tail -1 "$OUT/wait.log")"

# --- 6c. the two networks: one link of a node cut, then both (issue 13 point 5) -------------------
# lab/cut-link.sh drops everything on the node's interface of one network (iptables in its namespace).
# knet's heartbeat notices within knet_ping_timeout (effective token / 2) and the ring moves to the other
# link: no token is lost for long enough to change the membership. Then the second link: token loss.
no_new_membership_since() { # since, replica...: nobody logged a new membership since the time
    local c
    for c in $(containers "${@:2}"); do ! docker logs --since "$1" "$c" 2>&1 | grep -F "A new membership" || return 1; done
}
say "lab/cut-link.sh 3 0 (node 3 loses ring0; ring1 stays)"
check "the ring of 5 before the cut" ring_is true 5 1 2 3 4 5
ring_before_cut=$(jq -c .ringId "$OUT/last-status.1")
t_cut=$(date +%s.%N)
check "lab/cut-link.sh 3 0" env COMPOSE_PROJECT_NAME="$PROJECT" "$ROOT/lab/cut-link.sh" 3 0
d=$(wait_for 30 logs_since_have "$t_cut" "link: host: 3 link: 0 is down" 1 2 4 5) &&
    pass "the other 4 logged knet's 'link: host: 3 link: 0 is down' (after $d s)" ||
    fail "the other 4 logged 'link: host: 3 link: 0 is down': $(tail -1 "$OUT/wait.log")"
d_link_down=$(first_log_delay "$t_cut" "link: host: 3 link: 0 is down" 1 2 4 5)
check "node 3 logged link 0 down to its peers" logs_since_have "$t_cut" "link: 0 is down" 3
check "the others now send to node 3 on link 1 (knet: best link: 1)" logs_since_have "$t_cut" "host: host: 3 (passive) best link: 1" 1 2 4 5
# Twice the crash-to-membership time: a token lost for good on link 0 would have changed the membership by now.
sleep "$(awk -v e="${d_expected:-11}" 'BEGIN { printf "%.0f", 2 * e }')"
check "no membership change: the same 5 members, quorate" ring_is true 5 1 2 3 4 5
same_ring_as_before_cut() { [ "$ring_before_cut" = "$(jq -c .ringId "$OUT/last-status.1")" ] || { echo "ring $ring_before_cut -> $(jq -c .ringId "$OUT/last-status.1")"; return 1; }; }
check "the ring id did not change ($ring_before_cut)" same_ring_as_before_cut
check "no node logged a new membership since the cut" no_new_membership_since "$t_cut" 1 2 3 4 5
say "lab/cut-link.sh 3 1 (node 3 loses ring1 too)"
t_cut2=$(date +%s.%N)
check "lab/cut-link.sh 3 1" env COMPOSE_PROJECT_NAME="$PROJECT" "$ROOT/lab/cut-link.sh" 3 1
d=$(wait_for 90 ring_is true 5 1 2 4 5) && pass "without both links of node 3: token loss, a quorate ring of 4 (after $d s)" ||
    fail "without both links of node 3: a quorate ring of 4: $(tail -1 "$OUT/wait.log")"
d_both_membership=$(first_log_delay "$t_cut2" "A new membership" 1 2 4 5)
check "the others logged knet's 'host: host: 3 has no active links'" logs_since_have "$t_cut2" "host: host: 3 has no active links" 1 2 4 5
logs_since_have_some() { # since, text, replica...: at least one listed node logged the text since the time
    local c
    for c in $(containers "${@:3}"); do docker logs --since "$1" "$c" 2>&1 | grep -F -- "$2" >/dev/null && return 0; done
    echo "none of replicas ${*:3} logged since $1: $2"
    return 1
}
check "a survivor logged 'A processor failed, forming new configuration'" logs_since_have_some "$t_cut2" "A processor failed, forming new configuration" 1 2 4 5
say "link 0 down after ${d_link_down:-?} s (knet_ping_timeout: effective token / 2); both links cut -> new membership ${d_both_membership:-?} s"
check "lab/heal.sh restores the links" env COMPOSE_PROJECT_NAME="$PROJECT" "$ROOT/lab/heal.sh"
d=$(wait_for 120 ring_is true 5 1 2 3 4 5) && pass "links restored: one ring of 5 again (after $d s)" ||
    fail "links restored: one ring of 5 again: $(tail -1 "$OUT/wait.log")"

# --- 7. scale to 7 --------------------------------------------------------------------------------
say "up -d --scale node=7"
check "$C1 up -d --scale node=7" $C1 -p "$PROJECT" up -d --no-build --scale node=7
d=$(wait_for 120 ring_is true 7 1 2 3 4 5 6 7) && pass "a ring of 7, quorate, expected votes 7 (after $d s)" ||
    fail "a ring of 7, quorate, expected votes 7: $(tail -1 "$OUT/wait.log")"
d=$(wait_for 120 all_healthy 1 2 3 4 5 6 7) && pass "all 7 healthy" || fail "all 7 healthy"
d=$(wait_for 30 dashboard_sees 7) && pass "the dashboard found the 2 new nodes: 7 nodes, 7 members each (after $d s)" ||
    fail "the dashboard shows the 7 nodes: $(tail -3 "$OUT/wait.log" | tr '\n' ' ')"
check "the replicas added by --scale read the same key" same_key 1 6 7
check "the 7 replicas still run one timing (sized by TOTEM_EXPECTED_VOTES)" same_timing 1 2 3 4 5 6 7
rt_before_reload=$(runtime_table 1 2 3 4 5 6 7)
say "runtime.config.totem token/consensus by replica at 7: $rt_before_reload"
check "at 7 every replica still runs token $want_token, consensus $want_consensus" run_as_promised "$want_token" "$want_consensus" 1 2 3 4 5 6 7

# --- 7b. tune by reload (issue 19 point 7), the seed's workflow on the bind-mounted config ------------
# Edit token, size the ring for the 7 it now has (expected_votes), bump config_version, `totemctl reload`
# on one node: every replica re-reads the file and runs the new timing, without a restart.
conf=$OUT/hocon/compose.conf
reload_token=2000
sed -i "s/^  token: \${?TOTEM_TOKEN}\$/  token: $reload_token/; s/^  expected_votes: \${?TOTEM_EXPECTED_VOTES}\$/  expected_votes: 7/; s/^  version: 2\$/  version: 2\n  config_version: 2/" "$conf"
edited() { grep -x "  token: $reload_token" "$conf" && grep -x "  expected_votes: 7" "$conf" && grep -x "  config_version: 2" "$conf"; }
check "the bind-mounted compose.conf edited: token $reload_token, expected_votes 7, config_version 2" edited
# The nodes see the edit through the mount (the directory is mounted, so sed's new file is what they read).
check "the nodes see the edited file" docker exec "$(containers 7)" grep -x "  token: $reload_token" /etc/totem/compose.conf
read -r reload_want_token reload_want_consensus <<<"$(timeouts_of 1 --config /etc/totem/compose.conf)"
say "totemctl reload on replica 1 (token $reload_token for 7 nodes: effective $reload_want_token, consensus $reload_want_consensus)"
t_reload=$(date +%s.%N)
reload_all_took() { docker exec "$(containers 1)" totemctl reload | tee "$OUT/reload.txt"; }
check "totemctl reload: every member applied the file (exit 0)" reload_all_took
check "every replica logged 'Config reload requested by node 1'" logs_since_have "$t_reload" "Config reload requested by node 1" 1 2 3 4 5 6 7
rt_after_reload=$(runtime_table 1 2 3 4 5 6 7)
say "runtime.config.totem token/consensus by replica after the reload: $rt_after_reload"
check "after the reload every replica runs token $reload_want_token, consensus $reload_want_consensus" \
    run_as_promised "$reload_want_token" "$reload_want_consensus" 1 2 3 4 5 6 7
no_exit_since() { local r; for r in "${@:2}"; do [ -z "$(exits_since "$1" "$r")" ] || { echo "replica $r exited"; return 1; }; done; } # since, replica...
check "no replica restarted for the reload" no_exit_since "$t_reload" 1 2 3 4 5 6 7
# A kill on the reloaded timing: the new membership follows the new token + consensus.
d_expected_reload=$(expected_detection 1)
say "docker kill replica 7 (reloaded timing: token + consensus ${d_expected_reload:-?} s)"
t_kill3=$(date +%s.%N)
docker kill "$(containers 7)" >/dev/null
d=$(wait_for 90 ring_is true - 1 2 3 4 5 6) && pass "the other 6 form a ring of 6, quorate (after $d s)" ||
    fail "the other 6 form a ring of 6, quorate: $(tail -1 "$OUT/wait.log")"
d_membership_reload=$(first_log_delay "$t_kill3" "A new membership" 1 2 3 4 5 6)
say "kill -> new membership ${d_membership_reload:-?} s (reloaded token + consensus: ${d_expected_reload:-?} s)"
if [ -n "$d_expected_reload" ] && [ -n "$d_membership_reload" ]; then
    check "after the reload, kill -> new membership ${d_membership_reload} s is within 10 % of token + consensus ${d_expected_reload} s" \
        within_ten_percent "$d_membership_reload" "$d_expected_reload"
else
    fail "kill -> new membership after the reload measured (${d_membership_reload:-none}) against token + consensus (${d_expected_reload:-none})"
fi
d_scenario=$(elapsed "$t_scenario")

# --- 8. clean up ----------------------------------------------------------------------------------
if [ "${TOTEM_E2E_KEEP:-0}" != 1 ] || [ "$failed" = 0 ]; then
    down "$C1" "$PROJECT"
    check "down removed the containers" bash -c "[ -z \"\$(docker ps -aq --filter label=com.docker.compose.project=$PROJECT)\" ]"
    check "down removed the network" bash -c "! docker network ls --format '{{.Name}}' | grep -q '^${PROJECT}_'"
    C1=
fi

# --- the other compose version ---------------------------------------------------------------
if [ -n "$C2" ]; then
    PROJECT=$P2
    export TOTEM_SUBNET=${TOTEM_E2E_SUBNET_V1:-172.28.251.0/24} TOTEM_RING1_SUBNET=${TOTEM_E2E_RING1_SUBNET_V1:-172.28.253.0/24}
    # The image is the one the main run built (same Dockerfile, same name): compose v1 builds with
    # the legacy builder here, whose cache BuildKit's is not, so it would rebuild everything and leave
    # its stages' images untagged. COMPOSE=docker-compose makes v1 the main run, build included.
    say "smoke run with $C2: up 5 (image $IMAGE), scale 7, down"
    $C2 -p "$PROJECT" down -v --remove-orphans >/dev/null 2>&1
    check "$C2 up -d starts 5 replicas" $C2 -p "$PROJECT" up -d --no-build
    d=$(wait_for 120 ring_is true 5 1 2 3 4 5) && pass "$C2: 5 members, quorate (after $d s)" ||
        fail "$C2: 5 members, quorate: $(tail -1 "$OUT/wait.log")"
    check "$C2 up -d --scale node=7" $C2 -p "$PROJECT" up -d --no-build --scale node=7
    d=$(wait_for 120 ring_is true 7 1 2 3 4 5 6 7) && pass "$C2: 7 members, expected votes 7 (after $d s)" ||
        fail "$C2: 7 members, expected votes 7: $(tail -1 "$OUT/wait.log")"
    if [ "${TOTEM_E2E_KEEP:-0}" != 1 ] || [ "$failed" = 0 ]; then
        down "$C2" "$PROJECT"
        check "$C2 down removed everything" bash -c "[ -z \"\$(docker ps -aq --filter label=com.docker.compose.project=$PROJECT)\" ] && ! docker network ls --format '{{.Name}}' | grep -q '^${PROJECT}_'"
        C2=
    fi
fi

# --- what stays: the image it built, nothing else -----------------------------------------------
new_dangling() { comm -13 <(echo "$dangling_before") <(lab_dangling) | grep . && return 1 || return 0; }
check "no image left untagged (docker images -a --filter dangling=true as before the run)" new_dangling
user_image_kept() { [ "$IMAGE" = totem-lab/node:latest ] || [ "$(lab_image_id totem-lab/node:latest)" = "$user_image_before" ]; }
check "the user's totem-lab/node:latest is as before (${user_image_before:-none})" user_image_kept
check "the volumes are gone" bash -c "! docker volume ls -q | grep -E '^(${P1}|${P2})_'"
exit
}
