#!/usr/bin/env bash
# Lists the lab's nodes: replica number, container, state, address, health, restarts, exit code.
#   lab/nodes.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"

printf '%-8s %-22s %-10s %-14s %-10s %-9s %s\n' REPLICA CONTAINER STATE ADDRESS HEALTH RESTARTS EXIT
for id in $(lab_containers -a); do
    docker inspect -f '{{index .Config.Labels "com.docker.compose.container-number"}}|{{.Name}}|{{.State.Status}}|{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}|{{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}}|{{.RestartCount}}|{{.State.ExitCode}}' "$id" |
        awk -F'|' '{ sub("^/", "", $2); if ($4 == "") $4 = "-"; printf "%-8s %-22s %-10s %-14s %-10s %-9s %s\n", $1, $2, $3, $4, $5, $6, $7 }'
done
