#!/usr/bin/env bash
# One line per running node, from its own control API: what each node believes.
#   lab/status.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
printf '%-22s %-7s %-12s %-12s %-8s %-6s %-9s %s\n' CONTAINER NODEID STATE RING QUORATE VOTES EXPECTED MEMBERS
for id in $(lab_containers); do
    if json=$(docker exec "$id" totemctl --json status 2>/dev/null); then
        jq -r --arg c "$(lab_name "$id")" '[$c, .nodeId, .state, (.ringId.text // "\(.ringId.rep).\(.ringId.seq)"), .quorate,
            .totalVotes, .expectedVotes, (.members | map(tostring) | join(","))] | @tsv' <<<"$json" |
            awk -F'\t' '{ printf "%-22s %-7s %-12s %-12s %-8s %-6s %-9s %s\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
    else
        printf '%-22s %s\n' "$(lab_name "$id")" "(no answer from its control API)"
    fi
done
