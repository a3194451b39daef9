#!/usr/bin/env bash
# What the dashboard and the observer plane cost at idle (issue 14's target: the dashboard under 5 % of one core
# with 7 nodes). Starts a ring of NODES totemd (Release, JIT) on 127.0.0.1..N and measures, from /proc/PID/stat
# (utime+stime) over WINDOW seconds each:
#   off        the nodes with the observer plane off (no Akka.Remote at all)            -> the nodes' CPU
#   on         the same ring restarted with the observer on, nobody subscribed            -> the nodes' CPU
#   dashboard  totem-dashboard (Release) subscribed to every node, no page open           -> the dashboard's and the nodes' CPU
#   page       the same with one page open (an SSE client reading /events)                  -> the dashboard's and the nodes' CPU
# Prints one line per phase (percent of one core, RSS) and the dashboard's busiest threads. Run it quiet:
#   /work/bench/quiet scripts/dashboard-cpu.sh
#   RUNS=3 WINDOW=60 PHASES="dashboard page" /work/bench/quiet scripts/dashboard-cpu.sh
# Settings: NODES (7), WINDOW (60 s), SETTLE (20 s: after the ring formed, and after the dashboard started),
# RUNS (1), PHASES ("off on dashboard page"; "" only builds), PORT_BASE (26400: ring +5, control +6, observer +7, page +8),
# DASHBOARD_ENV ("": e.g. "DOTNET_gcServer=1" to try a runtime setting on the dashboard), SKIP_BUILD (0).
# The ring is hocon/local-ring.conf without crypto (udpu, no key to make), with nodes added up to NODES.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODES="${NODES:-7}"
WINDOW="${WINDOW:-60}"
SETTLE="${SETTLE:-20}"
RUNS="${RUNS:-1}"
PHASES="${PHASES-off on dashboard page}"
PORT_BASE="${PORT_BASE:-26400}"
DASHBOARD_ENV="${DASHBOARD_ENV:-}"
RUN="${RUN:-$ROOT/.dashboard-cpu}"
RING_PORT=$((PORT_BASE + 5)); CONTROL_PORT=$((PORT_BASE + 6)); OBSERVER_PORT=$((PORT_BASE + 7)); PAGE_PORT=$((PORT_BASE + 8))
TICK="$(getconf CLK_TCK)"
mkdir -p "$RUN"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "Building totemd and totem-dashboard (Release) ..."
  dotnet build "$ROOT/src/Host/Totemd" -c Release -o "$RUN/totemd" -v quiet -nologo >/dev/null
  dotnet build "$ROOT/src/Host/Dashboard" -c Release -o "$RUN/dashboard" -v quiet -nologo >/dev/null
fi

# The ring: crypto off (nothing to key), udpu, the nodelist extended to NODES.
sed -e 's/^\( *crypto_cipher:\).*/\1 none/; s/^\( *crypto_hash:\).*/\1 none/; s/^\( *transport:\).*/\1 udpu/; /keyfile:/d' \
    -e "s/mcastport: 5405/mcastport: $RING_PORT/" "$ROOT/hocon/local-ring.conf" > "$RUN/ring.conf"
extra=""
for n in $(seq 6 "$NODES"); do extra+="  node {\n    nodeid: $n\n    name: node$n\n    ring0_addr: 127.0.0.$n\n  }\n"; done
[ -n "$extra" ] && sed -i "0,/^nodelist {/s//nodelist {\n${extra%\\n}/" "$RUN/ring.conf"

node_pids=(); dashboard=""; reader=""
stop_all() {
  [ -n "$reader" ] && kill "$reader" 2>/dev/null || true
  [ -n "$dashboard" ] && kill "$dashboard" 2>/dev/null || true
  for pid in "${node_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${node_pids[@]}" $dashboard $reader; do wait "$pid" 2>/dev/null || true; done
  node_pids=(); dashboard=""; reader=""
}
trap stop_all EXIT

start_ring() { # $1: on|off (the observer plane)
  local observer=()
  [ "$1" = on ] && observer=(--observer --observer-port "$OBSERVER_PORT")
  for n in $(seq 1 "$NODES"); do
    dotnet "$RUN/totemd/totemd.dll" --config "$RUN/ring.conf" --akka-config "$ROOT/hocon/totemd.conf" --nodeid "$n" \
      --control "127.0.0.$n:$CONTROL_PORT" --client-socket off "${observer[@]}" >"$RUN/node$n.log" 2>&1 &
    node_pids+=("$!")
  done
  # Up to a minute for one ring of every node (a loaded machine starts 7 JIT processes slowly), then SETTLE more.
  local members="" waited=0
  while [ $waited -lt 60 ] && ! grep -q "Members\[$NODES\]" "$RUN/node1.log"; do sleep 1; waited=$((waited + 1)); done
  members="$(grep -h 'Members\[' "$RUN/node1.log" | tail -1 | sed 's/.*Members\[/Members[/' || true)"
  echo "  ring (observer $1) after ${waited} s: ${members:-NOT FORMED (see $RUN/node1.log)}"
  sleep "$SETTLE"
}

ticks() { local t=0 pid; for pid in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$t"; }
rss_mib() { local r=0 pid; for pid in "$@"; do r=$((r + $(awk '/VmRSS/{print $2}' "/proc/$pid/status"))); done; echo $((r / 1024)); }
percent() { awk -v t="$1" -v k="$TICK" -v w="$WINDOW" 'BEGIN{printf "%.2f", t / k / w * 100}'; }
# "TID TICKS NAME" per thread (the name's spaces as _; stat's fields counted after the ")" that ends the name).
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    echo "${t##*/} $(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}') $(tr ' ' '_' <"$t/comm" 2>/dev/null)"
  done
}

window() { # $1: phase name
  local n0 n1 d0 d1 th0 line
  n0="$(ticks "${node_pids[@]}")"
  [ -n "$dashboard" ] && { d0="$(ticks "$dashboard")"; th0="$(thread_ticks "$dashboard")"; }
  sleep "$WINDOW"
  n1="$(ticks "${node_pids[@]}")"
  line="$(printf '%-10s nodes %6s %% of one core for %d (%s %% each), RSS %d MiB each' "$1" "$(percent $((n1 - n0)))" "$NODES" \
    "$(awk -v a="$(percent $((n1 - n0)))" -v n="$NODES" 'BEGIN{printf "%.2f", a / n}')" $(( $(rss_mib "${node_pids[@]}") / NODES )))"
  if [ -n "$dashboard" ]; then
    d1="$(ticks "$dashboard")"
    line+="$(printf ' | dashboard %5s %% of one core, RSS %d MiB' "$(percent $((d1 - d0)))" "$(rss_mib "$dashboard")")"
    echo "$line"
    # Where the dashboard's time went, by thread name (thread-pool workers are ".NET_TP_Worker"; a thread that ended
    # in the window is missing here but counted above).
    awk 'NR == FNR { before[$1] = $2; next } { s[$3] += $2 - ($1 in before ? before[$1] : 0) } END { for (k in s) if (s[k] > 0) print s[k], k }' \
      <(echo "$th0") <(thread_ticks "$dashboard") | sort -rn | head -6 |
      awk -v k="$TICK" -v w="$WINDOW" '{printf "             %-24s %5.2f %%\n", $2, $1 / k / w * 100}'
  else
    echo "$line"
  fi
}

echo "$NODES nodes, ${WINDOW} s windows, CLK_TCK $TICK, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$RUNS"); do
  echo "run $run:"
  for phase in $PHASES; do
    case "$phase" in
      off)
        stop_all; start_ring off; window off ;;
      on)
        stop_all; start_ring on; window on ;;
      dashboard)
        if [ -z "$dashboard" ]; then
          [ ${#node_pids[@]} -eq 0 ] && start_ring on
          args=(); for n in $(seq 1 "$NODES"); do args+=(--node "127.0.0.$n:$CONTROL_PORT"); done
          env $DASHBOARD_ENV dotnet "$RUN/dashboard/totem-dashboard.dll" "${args[@]}" --observer-port "$OBSERVER_PORT" \
            --listen "127.0.0.1:$PAGE_PORT" >"$RUN/dashboard.log" 2>&1 &
          dashboard=$!
          sleep "$SETTLE"
        fi
        window dashboard ;;
      page)
        [ -z "$dashboard" ] && { echo "phase page needs phase dashboard first" >&2; exit 2; }
        curl -sN "http://127.0.0.1:$PAGE_PORT/events" >"$RUN/sse.txt" &
        reader=$!
        sleep 2
        window page
        kill "$reader"; wait "$reader" 2>/dev/null || true; reader=""
        echo "             SSE: $(wc -c <"$RUN/sse.txt") bytes in $((WINDOW + 2)) s; nodes subscribed: $(grep -c '"state":"subscribed"' "$RUN/sse.txt")" ;;
      *) echo "unknown phase '$phase' (off, on, dashboard, page)" >&2; exit 2 ;;
    esac
  done
  stop_all
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
