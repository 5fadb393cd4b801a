#!/usr/bin/env bash
# What a sidecar holding many series costs while no sample arrives: its background work alone (the inference
# loop's steps and sweeps, the training thread's checks). Loads SERIES series through remote-write on
# loopback for a few seconds, lets the sidecar settle, then reports its CPU over IDLE seconds as a percentage
# of one core.
#   bench/idle-cpu.sh                              # 100k series, 60 s idle, this checkout
#   SERIES=20000 IDLE=120 bench/idle-cpu.sh
#   SIDECAR_DIR=/tmp/pub-x bench/idle-cpu.sh       # a build published there, to alternate two builds
set -euo pipefail
cd "$(dirname "$0")/.."
SERIES=${SERIES:-100000}
IDLE=${IDLE:-60}
SENDERS=8

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

if [ -z "${SIDECAR_DIR:-}" ]; then
  dotnet publish src/Sidecar/Sidecar.csproj -c Release -o "$work/sidecar" -v quiet -nologo >/dev/null
  SIDECAR_DIR="$work/sidecar"
fi
sidecar="$SIDECAR_DIR/prometheus-forecast-sidecar.dll"
cp bench/sidecar-selected.yml "$work/sidecar.yml"

dotnet "$sidecar" --config.file="$work/sidecar.yml" --web.listen-address=127.0.0.1:19202 --storage.path="$work/data" --log.level=warn &
sidecar_pid=$!; pids+=("$sidecar_pid")
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:19202/-/ready >/dev/null && break; sleep 0.2; done

# Each of the senders writes hosts of its own, SERIES / SENDERS series a request, from a day back.
dotnet "$sidecar" bench remote-write --url=http://127.0.0.1:19202/api/v1/write --pid="$sidecar_pid" --duration=10s \
  --series=$(( SERIES / SENDERS )) --samples-per-series=1 --concurrency=$SENDERS \
  --start-ms=$(( $(date +%s) * 1000 - 86400000 )) | grep -E '^machine|^requests'
sleep 5
held=$(curl -s http://127.0.0.1:19202/metrics | sed -n 's/^forecast_sidecar_series_tracked{target="node"} \([0-9]*\).*/\1/p')
ticks=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$sidecar_pid/stat"; }
before=$(cpu); sleep "$IDLE"; after=$(cpu)
awk -v a="$before" -v b="$after" -v t="$ticks" -v s="$IDLE" -v n="${held:-unknown}" \
  'BEGIN { printf "series_held=%s idle_seconds=%d idle_cpu_percent_of_one_core=%.2f\n", n, s, (b - a) / t / s * 100 }'
