#!/usr/bin/env bash
# Crashes nodes the hard way (SIGKILL, like pulling the power). A killed container stays down:
# the engine counts it as stopped by the user, so the restart policy does not bring it back.
#   lab/kill.sh NODE...        NODE = replica number or container name
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -gt 0 ] || lab_die "usage: lab/kill.sh NODE...   (NODE = replica number or container name)"
for node in "$@"; do
    id=$(lab_container "$node")
    docker kill "$id" >/dev/null
    echo "killed $(lab_name "$id") at $(date -u +%H:%M:%S.%3N)"
done
