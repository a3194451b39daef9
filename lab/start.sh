#!/usr/bin/env bash
# Starts stopped (killed) nodes again; they rejoin the ring.
#   lab/start.sh NODE...       NODE = replica number or container name
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -gt 0 ] || lab_die "usage: lab/start.sh NODE...   (NODE = replica number or container name)"
for node in "$@"; do
    id=$(lab_container "$node")
    docker start "$id" >/dev/null
    echo "started $(lab_name "$id") at $(date -u +%H:%M:%S.%3N)"
done
