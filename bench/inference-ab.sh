#!/usr/bin/env bash
# Compares two revisions' pipeline step with `bench inference`, alternating their runs so that a shared
# host's neighbours slow both alike, and prints the paired medians of the step's parts over the forward
# timed beside them (issue 19). On a noisy host single runs of one build differ by 0.1 in the ratio;
# fifteen pairs or more are needed to see a change of a few hundredths.
#
#   bench/inference-ab.sh REV_A REV_B [PAIRS]      e.g. bench/inference-ab.sh b942a2e HEAD 15
#   SERIES=4096 bench/inference-ab.sh REV_A REV_B 6  the same at another batch (`bench inference --series`)
#
# Each revision is exported with `git archive` and published in Release into a temporary directory,
# removed at the end. Needs git, the .NET SDK and python3.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 REV_A REV_B [PAIRS]" >&2
    exit 2
fi
pairs=${3:-15}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for side in A B; do
    rev=$([[ $side == A ]] && echo "$1" || echo "$2")
    mkdir -p "$work/src-$side"
    git -C "$root" archive "$rev" | tar -x -C "$work/src-$side"
    echo "publishing $side ($rev, $(git -C "$root" rev-parse --short "$rev"))" >&2
    dotnet publish "$work/src-$side/src/Sidecar" -c Release -o "$work/pub-$side" >"$work/publish-$side.log" 2>&1 \
        || { cat "$work/publish-$side.log" >&2; exit 1; }
done

for ((i = 1; i <= pairs; i++)); do
    for side in A B; do
        out=$("$work/pub-$side/prometheus-forecast-sidecar" bench inference ${SERIES:+--series "$SERIES"} 2>&1) \
            || { echo "$out" >&2; echo "bench inference of $side failed" >&2; exit 1; }
        ratio=$(grep -oP 'whole_pipeline_step_steady_series_steps_per_s=[0-9]+ ratio_to_forward_beside_it=\K[0-9.]+' <<<"$out") \
            || { echo "$out" >&2; echo "no step ratio in $side's output: an older revision may print another format" >&2; exit 1; }
        parts=$(grep -oP 'by_part \K.*' <<<"$out")
        echo "$side ratio=$ratio $parts" | tee -a "$work/runs.txt"
    done
done

python3 - "$work/runs.txt" <<'EOF'
import re, statistics, sys
runs = [dict(re.findall(r'(\w+)=([0-9.]+)', line)) | {'side': line.split()[0]} for line in open(sys.argv[1])]
def series(side, key):
    values = []
    for run in runs:
        if run['side'] != side:
            continue
        forward = float(run['forward'])
        if key == 'ratio':
            values.append(float(run['ratio']))
        elif key == 'besides_network':
            values.append(sum(float(run[k]) for k in ('take', 'planning', 'inputs', 'outputs')) / forward)
        else:
            values.append(float(run[key]) / forward)
    return values
print('medians over %d pairs (parts as a share of the forward timed beside them):' % len(series('A', 'ratio')))
for key in ('ratio', 'besides_network', 'planning', 'outputs'):
    a, b = series('A', key), series('B', key)
    higher = sum(1 for x, y in zip(a, b) if y > x)
    print('  %-16s A %.3f  B %.3f  (B higher in %d of %d pairs)' % (key, statistics.median(a), statistics.median(b), higher, len(a)))
EOF
