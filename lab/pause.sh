#!/usr/bin/env bash
# Freezes a node (docker pause: every thread stopped, sockets kept), like a VM stall or a long
# GC pause. The others lose the token and form a ring without it; when it thaws, it finds a new
# ring, a burst of stale datagrams, and rejoins.
#   lab/pause.sh NODE            freeze until `lab/pause.sh NODE off`
#   lab/pause.sh NODE SECONDS    freeze for SECONDS, then thaw
#   lab/pause.sh NODE off        thaw
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] && [ $# -le 2 ] || lab_die "usage: lab/pause.sh NODE [SECONDS|off]"
id=$(lab_container "$1")
name=$(lab_name "$id")
case "${2:-}" in
    off)
        docker unpause "$id" >/dev/null
        echo "thawed $name at $(date -u +%H:%M:%S.%3N)" ;;
    '')
        docker pause "$id" >/dev/null
        echo "froze $name at $(date -u +%H:%M:%S.%3N); thaw with: lab/pause.sh $1 off" ;;
    *)
        [[ $2 =~ ^[0-9]+([.][0-9]+)?$ ]] || lab_die "SECONDS must be a number, not '$2'"
        docker pause "$id" >/dev/null
        echo "froze $name at $(date -u +%H:%M:%S.%3N) for $2 s"
        sleep "$2"
        docker unpause "$id" >/dev/null
        echo "thawed $name at $(date -u +%H:%M:%S.%3N)" ;;
esac
