#!/usr/bin/env bash
# The sidecar's remote-write 2.0 receiver against its own 1.0 receiver: the same process, the same
# load (2000 node_exporter-like series x 1 sample per request, 8 senders, every series selected and
# stored), alternating 1.0 and 2.0 within one run on loopback. Prometheus 2.42 receives only 1.0, so
# its receiver can't be the baseline here (bench/remote-write-vs-prometheus.sh measures that); 1.0 is.
# Reports samples accepted per CPU-second of the sidecar: a short warm-up of each version on series no
# later round writes (.NET compiling its code), then cold (series new to the receiver) and two warm rounds.
#   bench/remote-write-2-vs-1.sh                   # 20 s per version and round, about 3 minutes
#   DURATION=30s bench/remote-write-2-vs-1.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20s}

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

dotnet publish src/Sidecar/Sidecar.csproj -c Release -o "$work/sidecar" -v quiet -nologo >/dev/null
sidecar="$work/sidecar/prometheus-forecast-sidecar.dll"
cp bench/sidecar-selected.yml "$work/sidecar.yml"
dotnet "$sidecar" --config.file="$work/sidecar.yml" --web.listen-address=127.0.0.1:19201 --storage.path="$work/data" --log.level=warn &
pid=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:19201/-/ready >/dev/null && break; sleep 0.2; done

# Each version writes its own hosts (--first-host), so the two never share a series. A request's samples
# are a 15 s scrape after the previous request's, so each round starts after the last sample the round
# before it wrote (start_ms), or a warm round's samples would be out of order.
start_ms=$(( $(date +%s) * 1000 - 86400000 ))
# load sets rate (samples per CPU-second) and moves round_end on; not in a $(...) subshell, which would lose both.
load() {
  # Under set -e a failed load would end the script with no word of why: say so, with its output.
  if ! out=$(dotnet "$sidecar" bench remote-write --url=http://127.0.0.1:19201/api/v1/write --pid="$pid" --duration="$DURATION" \
      --series=2000 --samples-per-series=1 --concurrency=8 --protocol="$1" --first-host="$2" --start-ms="$start_ms") \
      || ! grep -q 'samples_accepted=[1-9]' <<<"$out"; then
    echo "bench: no remote-write $1 request was accepted, so this round has no figure; the load said:" >&2
    echo "$out" >&2
    exit 1
  fi
  last=$(sed -n 's/.*last_timestamp_ms=\([0-9]*\).*/\1/p' <<<"$out")
  [ "$last" -lt "$round_end" ] || round_end=$last
  rate=$(sed -n 's/.*samples_per_cpu_second=\([0-9]*\).*/\1/p' <<<"$out")
}
round_end=$start_ms
load 1.0 300000
load 2.0 400000
for round in cold warm warm; do
  start_ms=$(( round_end + 15000 ))
  load 1.0 0; v1=$rate
  load 2.0 100000; v2=$rate
  awk -v r="$round" -v a="$v1" -v b="$v2" \
    'BEGIN { printf "%s: samples per CPU-second: 1.0 %d, 2.0 %d, ratio %.2fx\n", r, a, b, b / a }'
done
