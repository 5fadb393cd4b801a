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

# Each version writes its own hosts (--first-host), so the two never share a series.
load() {
  dotnet "$sidecar" bench remote-write --url=http://127.0.0.1:19201/api/v1/write --pid="$pid" --duration="$DURATION" \
    --series=2000 --samples-per-series=1 --concurrency=8 --protocol="$1" --first-host="$2" |
    sed -n 's/.*samples_per_cpu_second=\([0-9]*\).*/\1/p'
}
load 1.0 300000 >/dev/null
load 2.0 400000 >/dev/null
for round in cold warm warm; do
  v1=$(load 1.0 0)
  v2=$(load 2.0 100000)
  awk -v r="$round" -v a="$v1" -v b="$v2" \
    'BEGIN { printf "%s: samples per CPU-second: 1.0 %d, 2.0 %d, ratio %.2fx\n", r, a, b, b / a }'
done
