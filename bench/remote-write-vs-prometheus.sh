#!/usr/bin/env bash
# Side by side: the sidecar's remote-write receiver against Prometheus 2.42's own
# (--web.enable-remote-write-receiver), under the same load, in the same run, on loopback only.
# Reports samples accepted per CPU-second of each receiver and the ratio, for three rounds run A B A B A B:
# the first right after both receivers started, on series no later round writes (start: for the sidecar
# this includes .NET compiling its code), the second while every series is new to both receivers
# (cold), the third on the same series (warm).
#   bench/remote-write-vs-prometheus.sh            # defaults: 20s per receiver and round, 2000x1, 8 senders
#   SHAPE=mostly-unselected bench/remote-write-vs-prometheus.sh
#   DURATION=30s SERIES=500 SAMPLES=10 bench/remote-write-vs-prometheus.sh
#   RUNS=3 bench/remote-write-vs-prometheus.sh     # three whole runs, fresh receivers each; then each round's median ratio
# SHAPE=selected (the default) is the setup the docs recommend: Prometheus filters with
# write_relabel_configs, so every series the sidecar receives is selected and stored (one target selects
# the whole job). SHAPE=mostly-unselected is the earlier shape: the default config's kind of targets,
# which select 3 of each host's 100 series and drop the rest after matching.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20s}
SERIES=${SERIES:-2000}
SAMPLES=${SAMPLES:-1}
CONCURRENCY=${CONCURRENCY:-8}
SHAPE=${SHAPE:-selected}
PROTOCOL=${PROTOCOL:-1.0}
RUNS=${RUNS:-1}

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

dotnet publish src/Sidecar/Sidecar.csproj -c Release -o "$work/sidecar" -v quiet -nologo >/dev/null
sidecar="$work/sidecar/prometheus-forecast-sidecar.dll"
case "$SHAPE" in
  selected)
    cp bench/sidecar-selected.yml "$work/sidecar.yml"
    ;;
  mostly-unselected)
    cat > "$work/sidecar.yml" <<'YAML'
demo:
  mode: off
targets:
  - name: node_load
    selector: 'node_load1{job="node"}'
    step: 1m
    horizons: [5m, 30m, 1h]
    history: 1d
    model: { min_history: 1d }  # no model trains mid-round, as in bench/sidecar-selected.yml
  - name: disk_avail
    selector: 'node_filesystem_avail_bytes{mountpoint=~"/|/var"}'
    step: 1m
    horizons: [30m, 1h]
    history: 1d
    model: { min_history: 1d }
YAML
    ;;
  *) echo "SHAPE is selected or mostly-unselected" >&2; exit 2 ;;
esac
printf 'global:\n  scrape_interval: 1m\n' > "$work/prometheus.yml"

wait_ready() { for _ in $(seq 1 100); do curl -sf "$1/-/ready" >/dev/null && return 0; sleep 0.2; done; echo "not ready: $1" >&2; exit 1; }

# One run: both receivers started afresh on empty data directories, then the three rounds.
start_receivers() {
  rm -rf "$work/data" "$work/prometheus"
  dotnet "$sidecar" --config.file="$work/sidecar.yml" --web.listen-address=127.0.0.1:19201 --storage.path="$work/data" --log.level=warn &
  sidecar_pid=$!; pids+=("$sidecar_pid")
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
    --web.listen-address=127.0.0.1:19090 --web.enable-remote-write-receiver --log.level=error &
  prometheus_pid=$!; pids+=("$prometheus_pid")
  wait_ready http://127.0.0.1:19201
  wait_ready http://127.0.0.1:19090
}

load() {
  local out
  # Under set -e a failed load in $(...) would end the script with no word of why: say so, with its output.
  if ! out=$(dotnet "$sidecar" bench remote-write --url="$1" --pid="$2" --duration="$DURATION" --series="$SERIES" \
      --samples-per-series="$SAMPLES" --concurrency="$CONCURRENCY" --protocol="$PROTOCOL" --first-host="$3" --start-ms="$4") \
      || ! grep -q 'samples_accepted=[1-9]' <<<"$out"; then
    echo "bench: no request to $1 was accepted, so this round has no figure; the load said:" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "$out"
}
per_cpu() { sed -n 's/.*samples_per_cpu_second=\([0-9]*\).*/\1/p' <<<"$1"; }
last_ms() { sed -n 's/.*last_timestamp_ms=\(-\?[0-9]*\).*/\1/p' <<<"$1"; }
version=$(prometheus --version 2>&1 | head -n1 | awk '{print $3}')
echo "shape=$SHAPE duration=$DURATION series_per_request=$SERIES samples_per_series=$SAMPLES senders=$CONCURRENCY"
ratios="$work/ratios"
stop_receivers() { kill "$sidecar_pid" "$prometheus_pid" 2>/dev/null || true; wait "$sidecar_pid" "$prometheus_pid" 2>/dev/null || true; pids=(); }
run_once() {
  # The start round is each receiver's first load after it started (for the sidecar, .NET compiling its
  # code as it runs) on hosts no later round writes; the cold round then brings new series to a running
  # receiver, as a new fleet does, and the warm round writes the same series again.
  # Each request's samples are a 15 s scrape after the previous request's, so a round writes hours of
  # scrapes; the rounds start a day back and each starts after the last sample of the round before, so
  # no receiver ever sees a sample older than one it has (out of order).
  start_ms=$(( $(date +%s) * 1000 - 86400000 ))
  for round in start cold warm; do
    hosts=0; [ "$round" = start ] && hosts=100000
    echo "== $round round: Prometheus $version receiver"
    prom=$(load http://127.0.0.1:19090/api/v1/write "$prometheus_pid" "$hosts" "$start_ms")
    echo "$prom"
    echo "== $round round: sidecar receiver"
    side=$(load http://127.0.0.1:19201/api/v1/write "$sidecar_pid" "$hosts" "$start_ms")
    echo "$side"
    last=$(( $(last_ms "$prom") > $(last_ms "$side") ? $(last_ms "$prom") : $(last_ms "$side") ))
    start_ms=$(( last + 15000 ))
    awk -v r="$round" -v s="$(per_cpu "$side")" -v p="$(per_cpu "$prom")" \
      'BEGIN { printf "%s: samples per CPU-second: sidecar %d, prometheus %d, ratio %.1fx\n", r, s, p, s / p }'
    awk -v r="$round" -v s="$(per_cpu "$side")" -v p="$(per_cpu "$prom")" 'BEGIN { printf "%s %.4f\n", r, s / p }' >> "$ratios"
  done
}
for run in $(seq 1 "$RUNS"); do
  [ "$RUNS" -gt 1 ] && echo "#### run $run of $RUNS"
  start_receivers
  run_once
  stop_receivers
done
if [ "$RUNS" -gt 1 ]; then
  # The median of the runs' ratios, round by round, with every run's ratio beside it: not the best run.
  for round in start cold warm; do
    awk -v r="$round" '$1 == r { v[n++] = $2 } END {
      for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      m = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
      printf "%s: median ratio over %d runs %.1fx (runs, lowest first:", r, n, m
      for (i = 0; i < n; i++) printf " %.1fx", v[i]
      print ")" }' "$ratios"
  done
fi
