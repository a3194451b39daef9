#!/usr/bin/env bash
# The multi-process tests (tests/MultiProcess.Tests: five real totemd processes, crash, fencing,
# restart, total order, leave) on totemd published NativeAOT, the program the local ring and ringbench
# run (src/Host/Totemd/Totemd.csproj). `dotnet test cluster.sln` runs the same tests on the JIT build;
# this catches what only the native program can get wrong (a type Akka or System.Text.Json needs at run
# time that the native compiler left out). Installs clang from Debian's packages when it is missing
# (as root); without clang Totemd.csproj falls back to ReadyToRun, and that is a failure here.
# Ends with dotnet test's summary line.
set -euo pipefail
cd "$(dirname "$0")/../.."

have_clang() { command -v clang >/dev/null || compgen -G '/usr/bin/clang-[0-9]*' >/dev/null; }
if ! have_clang; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[native] installing clang (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang >/dev/null
  fi
  have_clang || { echo "[native] error: no clang, and it could not be installed: totemd cannot be published NativeAOT"; exit 1; }
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
started=$(date +%s)
echo "[native] publishing totemd NativeAOT into $out"
dotnet publish src/Host/Totemd -c Release -r linux-x64 -p:SatelliteResourceLanguages=en -o "$out" -v quiet -nologo
if [ -f "$out/totemd.dll" ] || [ ! -x "$out/totemd" ]; then
  echo "[native] error: the publish is not a native program (totemd.dll present or totemd missing)"; exit 1
fi
echo "[native] published in $(( $(date +%s) - started )) s: totemd $(du -h "$out/totemd" | cut -f1), one native program"
# Built by dotnet test cluster.sln before this script; built here when run on its own.
[ -f tests/MultiProcess.Tests/bin/Debug/net10.0/MultiProcess.Tests.dll ] || dotnet build tests/MultiProcess.Tests -v quiet -nologo
# The default verbosity prints the "Passed!  - Failed: N, Passed: N" line that .ci/run counts.
TOTEM_TOTEMD="$out/totemd" dotnet test tests/MultiProcess.Tests --no-build
