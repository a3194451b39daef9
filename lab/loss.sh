#!/usr/bin/env bash
# Random packet loss on one node's network link, in both directions: each datagram it sends or
# receives on the ring network is dropped with probability PERCENT. iptables' statistic match in
# the node's network namespace, entered from the host (works without tc netem and without any
# tool in the image). Loopback (the control API, the health check) is left alone.
#   lab/loss.sh NODE PERCENT     e.g. lab/loss.sh 2 30%   (replaces the node's earlier loss rule)
#   lab/loss.sh NODE off         no more loss on NODE
# For loss inside the node itself (per peer, on any kernel): docker compose exec node totemctl fault loss 10%
set -euo pipefail
. "$(dirname "$0")/lib.sh"
lab_require_root
[ $# -eq 2 ] || lab_die "usage: lab/loss.sh NODE PERCENT|off   (e.g. lab/loss.sh 2 30%)"
id=$(lab_container "$1")
name=$(lab_name "$id")
percent=${2%\%}
lab_clear_rules "$id" loss
if [ "$percent" = off ] || [ "$percent" = 0 ]; then
    echo "$name: no injected loss"
    exit 0
fi
[[ $percent =~ ^[0-9]+([.][0-9]+)?$ ]] && awk -v p="$percent" 'BEGIN { exit !(p > 0 && p <= 100) }' ||
    lab_die "PERCENT must be a number in (0, 100], not '$2'"
probability=$(awk -v p="$percent" 'BEGIN { printf "%.4f", p / 100 }')
for rule in "INPUT ! -i lo" "OUTPUT ! -o lo"; do
    # shellcheck disable=SC2086 # the chain and interface match are two words on purpose
    lab_iptables "$id" -I $rule -m statistic --mode random --probability "$probability" \
        -m comment --comment "$LAB_TAG:loss" -j DROP
done
echo "$name: dropping ${percent}% of datagrams in and out (clear: lab/loss.sh $1 off, or lab/heal.sh)"
