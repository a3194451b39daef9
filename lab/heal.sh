#!/usr/bin/env bash
# Undoes every lab fault on every running node: thaws paused nodes, removes the loss, partition and
# link-cut rules (lab/cut-link.sh), removes netem qdiscs and the in-node faults (totemctl fault clear).
#   lab/heal.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
lab_require_root
for id in $(lab_containers --filter status=paused); do docker unpause "$id" >/dev/null; done
for id in $(lab_containers); do
    lab_clear_rules "$id"
    nsenter -t "$(lab_pid "$id")" -n tc qdisc del dev eth0 root 2>/dev/null || true
    docker exec "$id" totemctl fault clear >/dev/null 2>&1 || echo "$(lab_name "$id"): totemctl fault clear failed" >&2
done
echo "healed at $(date -u +%H:%M:%S.%3N)"
