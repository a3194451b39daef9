#!/usr/bin/env bash
# Lists the lab's nodes: replica number, container, state, addresses on ring0 and ring1 (links 0 and 1),
# health, restarts, exit code.
#   lab/nodes.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"

printf '%-8s %-22s %-10s %-14s %-14s %-10s %-9s %s\n' REPLICA CONTAINER STATE RING0 RING1 HEALTH RESTARTS EXIT
for id in $(lab_containers -a); do
    # Networks in name order: PROJECT_ring0, PROJECT_ring1.
    docker inspect -f '{{index .Config.Labels "com.docker.compose.container-number"}}|{{.Name}}|{{.State.Status}}|{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}|{{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}}|{{.RestartCount}}|{{.State.ExitCode}}' "$id" |
        awk -F'|' '{ sub("^/", "", $2); n = split($4, ip, " "); for (i = 1; i <= 2; i++) if (i > n || ip[i] == "") ip[i] = "-";
                     printf "%-8s %-22s %-10s %-14s %-14s %-10s %-9s %s\n", $1, $2, $3, ip[1], ip[2], $5, $6, $7 }'
done
