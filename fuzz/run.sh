#!/usr/bin/env bash
# Bounded AFL++ campaign over the decoders, through SharpFuzz. Every target runs for FUZZ_SECONDS (default
# 20) and the script fails if AFL records a crash or a hang. Long campaigns: FUZZ_SECONDS=3600 fuzz/run.sh.
#   needs: apt-get install afl++; dotnet tool restore (SharpFuzz.CommandLine)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${FUZZ_SECONDS:-20}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

dotnet build fuzz/Sidecar.Fuzz/Sidecar.Fuzz.csproj -c Release -o "$out/bin" -v quiet -nologo >/dev/null
# Instrument only our own assembly: coverage of the decoders, not of the runtime.
dotnet tool run sharpfuzz "$out/bin/prometheus-forecast-sidecar.dll" >/dev/null

export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_QUIET=1
status=0
for target in remote-write-v1 remote-write-v2 xor-chunk remote-read-frames; do
  afl-fuzz -i "fuzz/Sidecar.Fuzz/corpus/$target" -o "$out/$target" -t 5000 -m none -V "$SECONDS_PER_TARGET" \
    -- dotnet "$out/bin/Sidecar.Fuzz.dll" "$target" >"$out/$target.log" 2>&1 || { echo "afl-fuzz failed on $target:"; tail -n 20 "$out/$target.log"; status=1; continue; }
  stats="$out/$target/default/fuzzer_stats"
  execs=$(awk -F: '/^execs_done/ {gsub(/ /, "", $2); print $2}' "$stats")
  crashes=$(find "$out/$target/default/crashes" -type f -name 'id:*' | wc -l)
  hangs=$(find "$out/$target/default/hangs" -type f -name 'id:*' | wc -l)
  echo "fuzz $target: ${SECONDS_PER_TARGET}s, $execs executions, $crashes crashes, $hangs hangs"
  if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
    for f in "$out/$target/default/crashes"/id:* "$out/$target/default/hangs"/id:*; do [ -f "$f" ] && { echo "  finding: $f"; xxd "$f" | head -n 5; }; done
    status=1
  fi
done
exit $status
