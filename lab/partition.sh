#!/usr/bin/env bash
# Splits the ring: the nodes of one side stop hearing the nodes of the other (both directions),
# with iptables in each node's network namespace, entered from the host.
#   lab/partition.sh 1,2            replicas 1 and 2 on one side, every other running node on the other
#   lab/partition.sh 1,2 3,4,5      two explicit sides (a node in neither side keeps hearing both)
#   lab/partition.sh off            heal every partition (lab/heal.sh also removes loss and pauses)
# Rules name addresses (every network's: both links): a node restarted with another address is outside the partition.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
lab_require_root
[ $# -ge 1 ] && [ $# -le 2 ] || lab_die "usage: lab/partition.sh NODES [NODES] | off   (NODES = 1,2,...)"

if [ "$1" = off ]; then
    for id in $(lab_containers); do lab_clear_rules "$id" partition; done
    echo "partition healed"
    exit 0
fi

side() { local n; IFS=, read -ra n <<<"$1"; for x in "${n[@]}"; do lab_container "$x"; done; }
mapfile -t a < <(side "$1")
if [ $# -eq 2 ]; then
    mapfile -t b < <(side "$2")
else
    mapfile -t b < <(lab_containers | grep -v -x -F -f <(printf '%s\n' "${a[@]}"))
fi
[ ${#a[@]} -gt 0 ] && [ ${#b[@]} -gt 0 ] || lab_die "each side needs at least one running node"

cut_off() { # node, peers...: node drops everything from and to the peers' addresses, on every link
    local id=$1 peer ip ips
    shift
    for peer in "$@"; do
        [ "$peer" != "$id" ] || lab_die "$(lab_name "$id") is on both sides"
        ips=$(lab_ips "$peer")
        [ -n "${ips// /}" ] || lab_die "$(lab_name "$peer") has no address (not running?)"
        for ip in $ips; do
            lab_iptables "$id" -I INPUT -s "$ip" -m comment --comment "$LAB_TAG:partition" -j DROP
            lab_iptables "$id" -I OUTPUT -d "$ip" -m comment --comment "$LAB_TAG:partition" -j DROP
        done
    done
}
for id in "${a[@]}"; do cut_off "$id" "${b[@]}"; done
for id in "${b[@]}"; do cut_off "$id" "${a[@]}"; done
names() { for id in "$@"; do lab_name "$id"; done | paste -sd' ' -; }
echo "partitioned at $(date -u +%H:%M:%S.%3N): [$(names "${a[@]}")] | [$(names "${b[@]}")] (heal: lab/partition.sh off)"
