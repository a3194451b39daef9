#!/usr/bin/env bash
# The ring on Docker Swarm, played on a one-node swarm of this machine the way lab/README.md section 12
# tells a user to deploy it:
#
#   sudo tests/swarm/run.sh
#
#  1. lab/docker-setup.sh: Docker engine, compose, base images (skipped with TOTEM_SWARM_SKIP_SETUP=1);
#  2. `docker swarm init` on loopback when this engine is in no swarm (and then, only then, `docker swarm
#     leave --force` at the end; an engine that already is a swarm manager is used as it is);
#  3. builds the image from docker-compose.yml's `node` service (BuildKit; no registry: a one-node swarm runs
#     the local image, deployed with --resolve-image never);
#  4. the authkey, made once: a swarm secret filled from `totemctl keygen` in a throwaway container (the key
#     never is in the image nor in a file of the host); kept when it exists;
#  5. `docker stack deploy -c docker-stack.yml`: 5 tasks, every one quorate with the same 5 members, node id =
#     task slot, named by its task (STACK_node.N) and reading one key, mode 0400, at /etc/corosync/authkey;
#  6. `docker kill` of one task's container: the other 4 log "A new membership" without it; the swarm starts
#     a new task in the same slot (another container; restart policy on-failure), which joins the ring
#     again with the same node id: 5 members, quorate;
#  7. `docker stack rm`, then removes what it made: the secret, and the swarm and its docker_gwbridge.
# Prints the durations and ends with "N passed, N failed"; exits non-zero when any assertion failed.
# Runs as root (it may install packages and start dockerd). Environment:
#   TOTEM_SWARM_STACK=totemswarm           the stack's name (its service: STACK_node, its network: STACK_ring)
#   TOTEM_SWARM_SUBNET=10.28.240.0/24      the stack's overlay network
#   TOTEM_SWARM_IMAGE=totem-lab/node:e2e   the image it builds and deploys (the e2e's, so CI builds it once)
#   TOTEM_SWARM_SKIP_SETUP=1  TOTEM_SWARM_KEEP=1 (leave the stack up when an assertion fails)
#   TOTEM_SWARM_TIMEOUT_FACTOR=1           multiplies every wait's time limit
#   TOTEM_TOKEN, TOTEM_FENCING_TIMEOUT, ...  passed to the nodes (docker-stack.yml)
set -uo pipefail
{ # The whole script is one block, read before it runs: editing the file mid-run cannot derail it.

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
STACK=${TOTEM_SWARM_STACK:-totemswarm}
SERVICE=${STACK}_node
SECRET=${STACK}_authkey
IMAGE=${TOTEM_SWARM_IMAGE:-totem-lab/node:e2e}
NODES=5
KILLED=3 # the slot whose container is killed
OUT=$(mktemp -d /tmp/totem-swarm.XXXXXX)
t_start=$(date +%s.%N)
CHECKS_NAME=swarm TOTEM_TEST_TIMEOUT_FACTOR=${TOTEM_SWARM_TIMEOUT_FACTOR:-1}
. "$ROOT/tests/lib/checks.sh"
. "$ROOT/lab/lib.sh"
[ "$(id -u)" = 0 ] || { echo "run as root (sudo tests/swarm/run.sh)" >&2; exit 2; }

# A task's slot from its container's labels: the task name is SERVICE.SLOT.TASKID.
replica_of() { docker inspect -f '{{index .Config.Labels "com.docker.swarm.task.name"}}' "$1" | cut -d. -f2; }
# The running container of each slot, "SLOT ID" lines ordered by slot.
task_containers() {
    local id
    for id in $(docker ps -q --filter "label=com.docker.swarm.service.name=$SERVICE"); do
        printf '%s %s\n' "$(replica_of "$id")" "$id"
    done | sort -n
}
slot_container() { task_containers | awk -v s="$1" '$1 == s { print $2 }'; } # slot
slots_running() { # slot...: exactly these slots have one running container each
    local want have
    want=$(printf '%s\n' "$@" | sort -n | paste -sd, -)
    have=$(task_containers | awk '{ print $1 }' | paste -sd, -)
    echo "running slots: $have, want $want"
    [ "$have" = "$want" ]
}
ring_is() { # quorate, expected|-, slot...: the slots' running containers report the ring (tests/lib/checks.sh)
    local quorate=$1 expected=$2 s c cs=()
    shift 2
    for s in "$@"; do
        c=$(slot_container "$s")
        [ -n "$c" ] && [ "$(wc -w <<<"$c")" = 1 ] || { echo "slot $s: container(s) '$c'"; return 1; }
        cs+=("$c")
    done
    ring_of "$quorate" "$expected" "${cs[@]}"
}
ids_are_slots() { # slot...: each slot's node calls itself by its slot number, and is named STACK_node.SLOT by the others
    local s
    for s in "$@"; do
        jq -e --argjson s "$s" '.nodeId == $s' "$OUT/last-status.$s" >/dev/null || { echo "slot $s: $(jq -c .nodeId "$OUT/last-status.$s")"; return 1; }
        jq -e --arg name "$SERVICE.$s" --argjson n "$#" '(.nodes | length) == $n and ([.nodes[] | .name] | index($name)) != null' "$OUT/last-status.1" >/dev/null ||
            { echo "slot 1 does not name $SERVICE.$s: $(jq -c '[.nodes[] | {nodeId, name, address}]' "$OUT/last-status.1")"; return 1; }
    done
}
logs_since_of() { # [-E] since, text, container...: every listed container (at least one) logged the text since the time
    local mode=-F since text c
    [ "$1" = -E ] && { mode=-E; shift; }
    since=$1 text=$2
    shift 2
    [ $# -gt 0 ] || { echo "no containers to look at"; return 1; }
    for c in "$@"; do docker logs --since "$since" "$c" 2>&1 | grep "$mode" -- "$text" >/dev/null || { echo "$c did not log since $since: $text"; return 1; }; done
}
task_history() { docker service ps --no-trunc --format '{{.Name}} {{.CurrentState}} {{.DesiredState}} {{.Error}}' "$SERVICE" 2>/dev/null; }

swarm_state() { docker info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null; }
made_swarm=0 made_secret=0 gwbridge_before=1 deployed=0
cleanup() {
    if [ "${TOTEM_SWARM_KEEP:-0}" = 1 ] && [ "$failed" != 0 ]; then
        say "TOTEM_SWARM_KEEP=1: leaving stack $STACK up"
        return
    fi
    if [ "$deployed" = 1 ]; then
        for c in $(docker ps -aq --filter "label=com.docker.swarm.service.name=$SERVICE"); do
            docker logs -t "$c" >"$OUT/$(docker inspect -f '{{.Name}}' "$c" | sed 's|^/||').log" 2>&1
        done
        task_history >"$OUT/tasks.txt"
        docker stack rm "$STACK" >>"$OUT/swarm.log" 2>&1
        # stack rm returns at once; its tasks, containers and network go in the background.
        wait_for 60 stack_gone >/dev/null
    fi
    [ "$made_secret" = 1 ] && docker secret rm "$SECRET" >>"$OUT/swarm.log" 2>&1
    if [ "$made_swarm" = 1 ]; then
        docker swarm leave --force >>"$OUT/swarm.log" 2>&1
        # swarm init made docker_gwbridge (the bridge of tasks' gateways); leaving does not remove it.
        [ "$gwbridge_before" = 1 ] || docker network rm docker_gwbridge >>"$OUT/swarm.log" 2>&1
    fi
}
stack_gone() {
    [ -z "$(docker ps -aq --filter "label=com.docker.swarm.service.name=$SERVICE")" ] &&
        ! docker network ls --format '{{.Name}}' | grep -qx "${STACK}_ring"
}
finish() {
    echo
    echo "durations: setup ${d_setup:-n/a} s, swarm init ${d_init:-n/a} s, image build ${d_build:-n/a} s, deploy -> 5 quorate ${d_up:-n/a} s, stack rm ${d_rm:-n/a} s, total $(elapsed "$t_start") s"
    echo "kill slot $KILLED: -> new membership ${d_membership:-n/a} s (effective token + consensus ${d_expected:-n/a} s), -> back in the ring (survivors log Members joined: $KILLED) ${d_back:-n/a} s"
    echo "details: $OUT"
    echo "$passed passed, $failed failed"
    exit $((failed > 0))
}
trap 'cleanup; finish' EXIT
trap 'exit 130' INT TERM

# --- 1. setup -----------------------------------------------------------------------------------
if [ "${TOTEM_SWARM_SKIP_SETUP:-0}" != 1 ]; then
    say "lab/docker-setup.sh"
    t=$(date +%s.%N)
    check "lab/docker-setup.sh prepares docker, compose and the base images" bash "$ROOT/lab/docker-setup.sh"
    d_setup=$(elapsed "$t")
    [ "$failed" = 0 ] || exit 1
fi

# --- 2. a swarm -----------------------------------------------------------------------------------
state=$(swarm_state)
if [ "$state" = inactive ]; then
    docker network inspect docker_gwbridge >/dev/null 2>&1 || gwbridge_before=0
    say "docker swarm init (on 127.0.0.1: a one-node swarm, reachable from no other machine)"
    t=$(date +%s.%N)
    check "docker swarm init" docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:2377
    d_init=$(elapsed "$t")
    [ "$(swarm_state)" = active ] && made_swarm=1
elif [ "$state" = active ]; then
    say "this engine is already in a swarm: using it (it is not left at the end)"
else
    fail "the engine's swarm state is '$state' (want inactive or active)"
fi
is_manager() { [ "$(docker info -f '{{.Swarm.ControlAvailable}}')" = true ]; }
check "this engine is a swarm manager" is_manager
[ "$failed" = 0 ] || exit 1

# --- 3. the image ---------------------------------------------------------------------------------
say "building the image ($IMAGE)"
t=$(date +%s.%N)
check "the Dockerfile builds" lab_build_image "$(lab_compose_cmd)" "$STACK" "$IMAGE"
d_build=$(elapsed "$t")
[ "$failed" = 0 ] || exit 1

# --- 4. the key: a swarm secret, made once ----------------------------------------------------------
make_secret() {
    # keygen writes the key in the throwaway container (--rm, no network), cat hands it to the swarm's store.
    docker run --rm --network none --entrypoint sh "$IMAGE" -c 'totemctl keygen -k /tmp/authkey >&2 && cat /tmp/authkey' |
        docker secret create "$SECRET" - >/dev/null
}
if docker secret inspect "$SECRET" >/dev/null 2>&1; then
    say "secret $SECRET exists: kept"
else
    check "the authkey secret $SECRET made from totemctl keygen" make_secret
    docker secret inspect "$SECRET" >/dev/null 2>&1 && made_secret=1
fi
[ "$failed" = 0 ] || exit 1

# --- 5. deploy ------------------------------------------------------------------------------------
say "docker stack deploy -c docker-stack.yml $STACK ($NODES tasks)"
t=$(date +%s.%N)
check "docker stack deploy" env TOTEM_IMAGE="$IMAGE" TOTEM_SWARM_SECRET="$SECRET" TOTEM_NODES=$NODES TOTEM_EXPECTED_VOTES=$NODES \
    TOTEM_SWARM_SUBNET="${TOTEM_SWARM_SUBNET:-10.28.240.0/24}" docker stack deploy --resolve-image never -c "$ROOT/docker-stack.yml" "$STACK"
deployed=1
all_slots=$(seq 1 $NODES)
# shellcheck disable=SC2086
d=$(wait_for 180 ring_is true $NODES $all_slots) && pass "$NODES tasks: $NODES members, quorate, expected votes $NODES on every task (after $d s)" ||
    fail "$NODES tasks: $NODES members, quorate, expected votes $NODES on every task: $(tail -1 "$OUT/wait.log")"
d_up=$(elapsed "$t")
# shellcheck disable=SC2086
check "node ids are the task slots, and each task is named $SERVICE.SLOT in status" ids_are_slots $all_slots
# shellcheck disable=SC2046
check "every task reads one key, mode 0400, at /etc/corosync/authkey (the secret)" same_key_in $(task_containers | awk '{ print $2 }')
key_logged() { logs_since_of 0 "Ring datagrams: crypto_cipher aes256, crypto_hash sha256, key /etc/corosync/authkey (256 bytes)" $(task_containers | awk '{ print $2 }'); }
check "every task logged aes256/sha256 with that key" key_logged
peers_from_tasks() { # every task's start line: "This node is N (local address), ring address ..., peers from dns_name tasks.node"
    local c cs
    cs=$(task_containers | awk '{ print $2 }')
    [ -n "$cs" ] || return 1
    for c in $cs; do docker logs "$c" 2>&1 | grep -E "This node is [0-9]+ .*, peers from dns_name tasks\.node\$" >/dev/null || { echo "$c: no such line"; return 1; }; done
}
check "every task found its peers through tasks.node" peers_from_tasks
no_key_in_image() { docker run --rm --entrypoint sh "$IMAGE" -c '! ls -d /etc/corosync 2>/dev/null'; }
check "the image carries no authkey" no_key_in_image
say "one task's view:"
docker exec "$(slot_container 1)" totemctl status | sed -n '/^Membership information/,/^$/p' | sed 's/^/    /'
task_history | sed 's/^/    /'

# --- 6. kill one task's container: the ring reforms, the swarm brings the slot back -------------------
d_expected=$(detection_of "$(slot_container 1)")
killed=$(slot_container $KILLED)
survivors=$(seq 1 $NODES | grep -vx $KILLED)
# shellcheck disable=SC2086
survivor_containers=$(for s in $survivors; do slot_container "$s"; done)
say "docker kill the task container of slot $KILLED ($(docker inspect -f '{{.Name}}' "$killed" | sed 's|^/||'))"
t_kill=$(date +%s.%N)
docker kill "$killed" >/dev/null
# The ring reforms: every survivor logs a new membership. Normally without the dead node ("Members left: 3");
# a replacement that starts before the others gave up on its predecessor (restart delay 5 s + start-up against
# token + consensus) may be in that very membership instead: both are a reformed ring.
# shellcheck disable=SC2086
reformed() { logs_since_of "$t_kill" "A new membership" $survivor_containers; }
d=$(wait_for 90 reformed) && pass "the other $((NODES - 1)) logged 'A new membership' (after $d s)" ||
    fail "the other $((NODES - 1)) logged 'A new membership': $(tail -1 "$OUT/wait.log")"
left_line=$(docker logs --since "$t_kill" "$(slot_container 1)" 2>&1 | grep -F "A new membership" | head -1)
say "slot 1: ${left_line:-no new membership}"
# shellcheck disable=SC2086
d_membership=$(first_log_delay_of "$t_kill" "A new membership" $survivor_containers)
say "kill -> new membership ${d_membership:-?} s (effective token + consensus ${d_expected:-?} s)"
killed_exit() { [ "$(docker inspect -f '{{.State.ExitCode}}' "$killed")" = 137 ]; }
check "the killed container died with 137 (SIGKILL): a failure to the restart policy" killed_exit
replaced() { local c; c=$(slot_container $KILLED); [ -n "$c" ] && [ "$c" != "$killed" ]; }
d=$(wait_for 60 replaced) && pass "the swarm started a new task in slot $KILLED (another container, after $d s)" ||
    fail "the swarm started a new task in slot $KILLED: $(task_history | head -3)"
# shellcheck disable=SC2086
d=$(wait_for 120 ring_is true $NODES $all_slots) && pass "the new task is back: $NODES members, quorate, on every task (after $d s)" ||
    fail "the new task is back: $NODES members, quorate: $(tail -1 "$OUT/wait.log")"
# From the logs, not from the checks' docker exec (seconds each on a loaded machine): the survivors' first
# membership with node 3 among the joined after the kill. Not always "Members joined: 3" alone: when the
# replacement's join ends a recovery the representative had not finished while the others had installed that ring,
# the others' old ring is the recovery ring and the representative's the ring before it, so their transitional
# configurations differ and the next ring's line names more ("Members joined: 1 3 left: 1" on the others, "Members
# joined: 2 3 4 5 left: 2 3 4 5" on the representative), as corosync logs it (stop 28's CI).
joined_again="Members joined:( [0-9]+)* $KILLED( |\$)"
# shellcheck disable=SC2086
d_back=$(first_log_delay_of -E "$t_kill" "$joined_again" $survivor_containers)
same_id_back() { jq -e --argjson s $KILLED '.nodeId == $s' "$OUT/last-status.$KILLED" >/dev/null; }
check "the new task in slot $KILLED is node $KILLED again" same_id_back
# shellcheck disable=SC2086
rejoined() { logs_since_of -E "$t_kill" "$joined_again" $survivor_containers; }
check "the others logged node $KILLED joining again" rejoined
failed_task_recorded() { task_history | grep -E "^$SERVICE\\.$KILLED Failed" >/dev/null; }
check "the swarm recorded the killed task as failed and replaced it" failed_task_recorded
task_history | sed 's/^/    /'

# --- 7. remove ----------------------------------------------------------------------------------------
if [ "${TOTEM_SWARM_KEEP:-0}" != 1 ] || [ "$failed" = 0 ]; then
    for c in $(docker ps -aq --filter "label=com.docker.swarm.service.name=$SERVICE"); do
        docker logs -t "$c" >"$OUT/$(docker inspect -f '{{.Name}}' "$c" | sed 's|^/||').log" 2>&1
    done
    task_history >"$OUT/tasks.txt"
    say "docker stack rm $STACK"
    t=$(date +%s.%N)
    check "docker stack rm" docker stack rm "$STACK"
    d=$(wait_for 60 stack_gone) && pass "the stack's containers and network are gone (after $d s)" || fail "the stack's containers and network are gone"
    d_rm=$(elapsed "$t")
    deployed=0
    if [ "$made_secret" = 1 ]; then check "the secret removed" docker secret rm "$SECRET" && made_secret=0; fi
    if [ "$made_swarm" = 1 ]; then
        check "docker swarm leave --force (the swarm this test made)" docker swarm leave --force
        made_swarm=0
        if [ "$gwbridge_before" = 0 ]; then check "docker_gwbridge removed (made by swarm init)" docker network rm docker_gwbridge; fi
        check "the engine is in no swarm again" bash -c '[ "$(docker info -f "{{.Swarm.LocalNodeState}}")" = inactive ]'
    fi
fi
exit
}
