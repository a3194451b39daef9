#!/usr/bin/env bash
# Starts a 5-node Totem ring on this machine: totemd N binds 127.0.0.N:5405 (ring) and
# 127.0.0.N:7405 (control API). Linux routes all of 127.0.0.0/8 to loopback, so no setup is needed.
# Shows membership and quorum forming, then waits; Ctrl-C stops every node (each leaves the ring).
# The ring is encrypted and authenticated (hocon/local-ring.conf: knet, aes256/sha256) with one key,
# .local-ring/authkey: made by `totemctl keygen` on the first run, reused after; every node reads it
# (TOTEM_KEYFILE). Remove it for a new key.
#
#   scripts/local-ring.sh            # 5 nodes, hocon/local-ring.conf
#   NODES=3 scripts/local-ring.sh    # the first 3 nodes of the nodelist only
#   CONFIG=my.conf scripts/local-ring.sh
#   AKKA_CONFIG=my-totemd.conf scripts/local-ring.sh   # totemd's own settings (HOCON), default hocon/totemd.conf
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIG="${CONFIG:-$ROOT/hocon/local-ring.conf}"
NODES="${NODES:-5}"
RUN="${RUN:-$ROOT/.local-ring}"
CONTROL_PORT=7405
WAIT_SECONDS="${WAIT_SECONDS:-60}"

mkdir -p "$RUN"
AKKA_CONFIG="${AKKA_CONFIG:-$ROOT/hocon/totemd.conf}"
echo "Building totemd (Release: NativeAOT with clang installed, else ReadyToRun) and totemctl (Release) ..."
# The nodes start precompiled. Totemd.csproj publishes NativeAOT when clang is there (one native
# program, ~0.05 s to a ring of one, ~36 MiB a node), else ReadyToRun (~0.3-0.45 s, ~81 MiB). Its
# folder is emptied first: a totemd.dll left by an earlier ReadyToRun publish must not be run instead.
dotnet build "$ROOT/src/Host/Totemctl" -c Release -o "$RUN/bin" -v quiet -nologo >/dev/null
rm -rf "$RUN/totemd"
dotnet publish "$ROOT/src/Host/Totemd" -c Release -r linux-x64 \
  -p:SatelliteResourceLanguages=en -o "$RUN/totemd" -v quiet -nologo >/dev/null
if [ -f "$RUN/totemd/totemd.dll" ]; then
  echo "totemd: ReadyToRun (no clang found; apt-get install clang for the native build)"
  TOTEMD=(dotnet "$RUN/totemd/totemd.dll")
else
  echo "totemd: NativeAOT ($RUN/totemd/totemd)"
  TOTEMD=("$RUN/totemd/totemd")
fi
TOTEMCTL=(dotnet "$RUN/bin/totemctl.dll")

# One key for the whole ring, made once (mode 0400) and kept across runs; a key totemd would refuse stops here.
export TOTEM_KEYFILE="$RUN/authkey"
"${TOTEMCTL[@]}" keygen --if-missing -k "$TOTEM_KEYFILE" | sed 's/^/keygen: /'
echo "Ring key: $TOTEM_KEYFILE, shared by every node (aes256/sha256 per hocon/local-ring.conf; rm it for a new key)"

# Leaves anything it did not start alone: it only signals the pids it recorded.
pids=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "Stopping the ring (SIGTERM: each node leaves, the others reform at once) ..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "Stopped. Logs are in $RUN/."
}
trap stop_all INT TERM EXIT

for n in $(seq 1 "$NODES"); do
  "${TOTEMD[@]}" --config "$CONFIG" --akka-config "$AKKA_CONFIG" --nodeid "$n" --control "127.0.0.$n:$CONTROL_PORT" --state-dir "$RUN/state" >"$RUN/node$n.log" 2>&1 &
  pids+=("$!")
  echo "$!" >"$RUN/node$n.pid"
  echo "node $n: pid $!, ring 127.0.0.$n:5405, control http://127.0.0.$n:$CONTROL_PORT, log $RUN/node$n.log"
done

echo
echo "Waiting for one ring of $NODES members with quorum (up to ${WAIT_SECONDS}s) ..."
deadline=$((SECONDS + WAIT_SECONDS))
formed=no
while (( SECONDS < deadline )); do
  line=""
  for n in $(seq 1 "$NODES"); do
    if ! kill -0 "${pids[$((n - 1))]}" 2>/dev/null; then
      echo "node $n exited; the end of its log:"
      tail -n 20 "$RUN/node$n.log"
      exit 1
    fi
    json="$("${TOTEMCTL[@]}" --node "127.0.0.$n:$CONTROL_PORT" status --json 2>/dev/null | tr -d " \n" || true)"
    members="$(printf '%s' "$json" | grep -o '"members":\[[0-9,]*\]' | grep -o '[0-9][0-9,]*' || true)"
    quorate="$(printf '%s' "$json" | grep -o '"quorate":[a-z]*' | cut -d: -f2 || true)"
    line+="  node$n: members [${members:-?}] quorate ${quorate:-?}"
    [[ "$members" == "$(seq -s, 1 "$NODES")" && "$quorate" == "true" ]] || line+="*"
  done
  echo "$(date +%T)$line"
  if [[ "$line" != *"*"* ]]; then formed=yes; break; fi
  sleep 1
done

if [[ "$formed" != yes ]]; then
  echo "The ring did not form within ${WAIT_SECONDS}s; see the logs in $RUN/."
  exit 1
fi

echo
"${TOTEMCTL[@]}" --node "127.0.0.1:$CONTROL_PORT" status
cat <<EOT

The ring is up. In another terminal (totemctl = dotnet $RUN/bin/totemctl.dll):
  query a node:        dotnet $RUN/bin/totemctl.dll --node 127.0.0.2:$CONTROL_PORT status   (quorum, members, rings, runtime, watch)
  crash a node:        kill -KILL \$(cat $RUN/node3.pid)     # the others notice after the effective token, reform after + consensus
  stop a node cleanly: kill -TERM \$(cat $RUN/node3.pid)     # it leaves; the others reform at once
  lose quorum:         kill -KILL \$(cat $RUN/node4.pid) \$(cat $RUN/node5.pid)   # after node3: 2 of 5 left, they fence
  watch the logs:      tail -f $RUN/node1.log
  timings explained:   dotnet $RUN/bin/totemctl.dll timeouts --config $CONFIG
Ctrl-C here stops every node.
EOT
wait
