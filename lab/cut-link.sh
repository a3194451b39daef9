#!/usr/bin/env bash
# Cuts one knet link (one of the two networks) of one node or of every node, as a pulled cable or a dead
# switch port for the ring: every datagram (UDP) in and out of the node's interface on that network is
# dropped (iptables in the node's network namespace, entered from the host). The address stays, DNS still
# names the node on that network, the other link is untouched. TCP is left alone: the control API and the
# dashboard's observer plane reach the nodes over ring0 in this lab, as a cluster's management network
# would, so the dashboard keeps watching a node whose ring0 link is cut.
#   lab/cut-link.sh 3 0       node 3 loses link 0 (ring0): the ring moves to link 1, no membership change
#   lab/cut-link.sh 3 1       ... and link 1 too: node 3 has no active links, token loss, a new membership
#   lab/cut-link.sh all 0     every node loses link 0 (a dead ring0 switch): the whole ring runs on link 1
#   lab/cut-link.sh off [N]   restores every cut link (of node N only); lab/heal.sh also restores them
# Why not `docker network disconnect`: it removes the interface and its address, and `connect` may hand
# back another address (addresses follow the order of attachment), which the node's socket, bound to
# the old one, would not follow; DNS would also stop naming the node on that network. That is a node
# leaving a network, not a link failing. (`totemctl fault --link N` drops inside totemd instead; this cut
# is the kernel's, seen by every socket.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
lab_require_root
usage="usage: lab/cut-link.sh NODE|all LINK | off [NODE]   (NODE = replica number or container; LINK = 0..7)"
[ $# -ge 1 ] && [ $# -le 2 ] || lab_die "$usage"

if [ "$1" = off ]; then
    if [ $# = 2 ]; then ids=$(lab_container "$2"); else ids=$(lab_containers); fi
    for id in $ids; do lab_clear_rules "$id" link; done
    echo "links restored at $(date -u +%H:%M:%S.%3N)"
    exit 0
fi
[ $# = 2 ] || lab_die "$usage"
[[ $2 =~ ^[0-7]$ ]] || lab_die "link '$2': expected a link number 0..7 ($usage)"
link=$2
if [ "$1" = all ]; then ids=$(lab_containers); else ids=$(lab_container "$1"); fi
[ -n "$ids" ] || lab_die "no running node (is the lab up? lab/nodes.sh lists them)"

cut=()
for id in $ids; do
    lab_running "$id" || lab_die "$(lab_name "$id") is not running"
    dev=$(lab_link_dev "$id" "$link")
    # One rule per direction on the link's interface; the comment lets cut-link off and heal remove exactly these.
    lab_iptables "$id" -I INPUT -i "$dev" -p udp -m comment --comment "$LAB_TAG:link$link" -j DROP
    lab_iptables "$id" -I OUTPUT -o "$dev" -p udp -m comment --comment "$LAB_TAG:link$link" -j DROP
    cut+=("$(lab_name "$id") ($dev $(lab_link_ip "$id" "$link"))")
done
echo "link $link cut at $(date -u +%H:%M:%S.%3N): ${cut[*]} (restore: lab/cut-link.sh off, or lab/heal.sh)"
