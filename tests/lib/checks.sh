# Shared by the container tests (tests/e2e/run.sh, tests/swarm/run.sh; sourced, not run): assertions
# counted as passed/failed, waits with a time limit, and the ring as every node reports it itself.
# The sourcing script sets, before use:
#   CHECKS_NAME   the prefix of its progress lines ("e2e", "swarm")
#   OUT           a directory for the logs (checks.log, wait.log) and the last status of every node
#   t_start       the run's start (date +%s.%N)
#   replica_of    a function: container id -> its replica number (compose's container number, a swarm task's slot)
# and may set TOTEM_TEST_TIMEOUT_FACTOR (multiplies every wait's time limit).

passed=0
failed=0

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
say() { printf '[%s %6.1fs] %s\n' "$CHECKS_NAME" "$(elapsed "$t_start")" "$*"; }
pass() { passed=$((passed + 1)); printf '  PASS  %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$*"; }
check() { # description, command...: one assertion; a failure shows the command's last lines (all in checks.log)
    local what=$1 out
    shift
    out=$(mktemp)
    if "$@" >"$out" 2>&1; then
        pass "$what"
    else
        fail "$what"
        tail -n 8 "$out" | sed 's/^/        | /'
    fi
    cat "$out" >>"$OUT/checks.log"
    rm -f "$out"
}
# Polls a command until it succeeds or the timeout (s) passes; prints how long it took.
wait_for() { # timeout, command...
    local timeout t0
    timeout=$(awk -v t="$1" -v f="${TOTEM_TEST_TIMEOUT_FACTOR:-1}" 'BEGIN { print t * f }')
    t0=$(date +%s.%N)
    shift
    while :; do
        if "$@" >>"$OUT/wait.log" 2>&1; then elapsed "$t0"; return 0; fi
        awk -v a="$t0" -v b="$(date +%s.%N)" -v t="$timeout" 'BEGIN { exit !(b - a > t) }' && { elapsed "$t0"; return 1; }
        sleep 0.5
    done
}

# A node's own view, from its control API inside its container.
node_status() { docker exec "$1" timeout 20 totemctl --json status 2>/dev/null; }

# Every listed container answers and reports: exactly the listed containers as members (by the node ids they
# report themselves), the same ring, state operational, the given quorate flag, and (optionally) the given
# expected votes. Each answer is kept as $OUT/last-status.REPLICA.
ring_of() { # quorate(true|false), expected-votes|-, container...
    local quorate=$1 expected=$2 c want
    local -A answer=()
    shift 2
    [ $# -gt 0 ] || { echo "no containers"; return 1; }
    # One snapshot of every node first, taken in parallel, then the checks.
    for c in "$@"; do node_status "$c" >"$OUT/status.$c" & done
    wait
    for c in "$@"; do
        answer[$c]=$(jq -c . "$OUT/status.$c" 2>/dev/null)
        rm -f "$OUT/status.$c"
        [ -n "${answer[$c]}" ] || { echo "$(docker inspect -f '{{.Name}}' "$c"): no status"; return 1; }
        echo "${answer[$c]}" >"$OUT/last-status.$(replica_of "$c")"
    done
    want=$(for c in "$@"; do jq -r .nodeId <<<"${answer[$c]}"; done | sort -n | paste -sd, -)
    for c in "$@"; do
        jq -e --arg want "$want" --argjson q "$quorate" --arg ev "$expected" '
            (.members | map(tostring) | sort_by(tonumber) | join(",")) == $want
            and .quorate == $q
            and (.state | ascii_downcase) == "operational"
            and ($ev == "-" or .expectedVotes == ($ev | tonumber))' <<<"${answer[$c]}" >/dev/null ||
            { echo "$(docker inspect -f '{{.Name}}' "$c") wants members $want quorate $quorate expected $expected: ${answer[$c]}"; return 1; }
    done
    [ "$(for c in "$@"; do jq -c .ringId <<<"${answer[$c]}"; done | sort -u | wc -l)" = 1 ] ||
        { echo "rings differ: $(for c in "$@"; do jq -c .ringId <<<"${answer[$c]}"; done | paste -sd' ' -)"; return 1; }
}

# "MODE SHA256" of the authkey a node reads.
key_of() { docker exec "$1" sh -c 'printf "%s " "$(stat -L -c %a /etc/corosync/authkey)"; sha256sum </etc/corosync/authkey | cut -d" " -f1'; }
same_key_in() { # container...: every listed node reads one key, mode 400
    local c keys
    keys=$(for c in "$@"; do key_of "$c"; done | sort -u)
    echo "keys: $keys"
    [ "$(wc -l <<<"$keys")" = 1 ] && [[ $keys == "400 "* ]]
}

# Seconds from a time to the first log line of a container containing the text (docker's timestamps). With -E
# first, the text is an extended regular expression (grep -E) instead of a fixed string.
log_delay_of() { # [-E] since (unix s.ns), container, text
    local mode=-F ts
    [ "$1" = -E ] && { mode=-E; shift; }
    ts=$(docker logs -t --since "$1" "$2" 2>&1 | grep "$mode" -- "$3" | head -1 | awk '{ print $1 }')
    [ -n "$ts" ] || return 1
    awk -v a="$1" -v b="$(date -d "$ts" +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}
# The earliest of the containers' log_delay_of.
first_log_delay_of() { # [-E] since, text, container...
    local mode=() since text c
    [ "$1" = -E ] && { mode=(-E); shift; }
    since=$1 text=$2
    shift 2
    for c in "$@"; do log_delay_of "${mode[@]}" "$since" "$c" "$text"; echo; done | grep . | sort -n | head -1
}

# Effective token + consensus as the node computed them (cmap keys), in seconds.
detection_of() { # container
    docker exec "$1" totemctl --json runtime runtime.config.totem 2>/dev/null |
        jq -r '[.entries[]? | select(.key | test("^runtime\\.config\\.totem\\.(token|consensus)$")) | .value | tonumber]
               | if length == 2 then (add / 1000) else empty end' 2>/dev/null
}
