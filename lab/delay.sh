#!/usr/bin/env bash
# Added latency (and jitter) on what a node sends. With tc netem where the kernel has it (in the
# node's network namespace, from the host); otherwise inside the node, by its UDP adapter
# (`totemctl fault delay`), which works on any kernel.
#   lab/delay.sh NODE 20ms [5ms]     delay 20 ms, jitter 5 ms
#   lab/delay.sh NODE off
set -euo pipefail
. "$(dirname "$0")/lib.sh"
lab_require_root
[ $# -ge 2 ] && [ $# -le 3 ] || lab_die "usage: lab/delay.sh NODE DELAY [JITTER] | NODE off   (e.g. 20ms 5ms)"
id=$(lab_container "$1")
name=$(lab_name "$id")
ms() { [[ $1 =~ ^[0-9]+(ms)?$ ]] || lab_die "'$1' is not a delay in ms (e.g. 20ms)"; echo "${1%ms}ms"; }
tcn() { nsenter -t "$(lab_pid "$id")" -n tc "$@"; }
dev=eth0

if [ "$2" = off ]; then
    tcn qdisc del dev "$dev" root 2>/dev/null || true
    docker exec "$id" totemctl fault clear >/dev/null
    echo "$name: no added delay"
    exit 0
fi
delay=$(ms "$2")
jitter=$([ $# -eq 3 ] && ms "$3" || echo 0ms)
if tcn qdisc replace dev "$dev" root netem delay "$delay" "$jitter" 2>/dev/null; then
    echo "$name: tc netem delay $delay jitter $jitter on $dev"
else
    docker exec "$id" totemctl fault delay "$delay" --jitter "$jitter"
    echo "$name: this kernel has no netem; the node delays its own datagrams by $delay +- $jitter"
fi
