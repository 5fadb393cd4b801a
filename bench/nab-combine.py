#!/usr/bin/python3
"""Combine two NAB detectors' results files into a third, to ask whether one adds to the other.

Each detector's score is divided by its own whole-corpus threshold (so 1 is "would report" for both), the
two are combined per row (`max`: either reports; `mean`: their average), and the result is written back in
NAB's [0, 1] layout as x/(1+x), as a detector named NAME, for bench/nab-loco.py to rate:

    /usr/bin/python3 bench/nab-combine.py NAB RESULTS forecastSidecar 0.5475 ARTime 0.3175 mean OUT/novelty+ARTime
    /usr/bin/python3 bench/nab-loco.py NAB OUT novelty+ARTime

NAB may instead be a windows file in NAB's layout (bench/asd-dataset.py's series_windows.json), to
combine results on the Application Server Dataset the same way:

    /usr/bin/python3 bench/nab-combine.py ASD/series_windows.json RESULTS forecastSidecar 0.5187 ARTimeProbationRange 0.1927 mean RESULTS/combined

The scale comes from thresholds chosen on the whole corpus, which the held-out folds are part of: that
favours the combination, so a combination that still loses to its better member has lost for real.
"""
import json
import os
import sys

import numpy as np
import pandas

if len(sys.argv) != 9:
    sys.exit(__doc__)
nab, results, first, first_threshold, second, second_threshold, rule, out = sys.argv[1:]
combine = {"max": np.maximum, "mean": lambda a, b: (a + b) / 2}[rule]
name = os.path.basename(out.rstrip("/"))
with open(nab if nab.endswith(".json") else os.path.join(nab, "labels", "combined_windows.json")) as f:
    files = sorted(json.load(f))
for relative in files:
    directory, file = relative.split("/")
    a = pandas.read_csv(os.path.join(results, first, directory, f"{first}_{file}"))
    b = pandas.read_csv(os.path.join(results, second, directory, f"{second}_{file}"))
    if len(a) != len(b):
        sys.exit(f"{relative}: {first} has {len(a)} rows, {second} {len(b)}")
    score = combine(a["anomaly_score"].values / float(first_threshold), b["anomaly_score"].values / float(second_threshold))
    os.makedirs(os.path.join(out, directory), exist_ok=True)
    a.assign(anomaly_score=score / (1 + score)).to_csv(os.path.join(out, directory, f"{name}_{file}"), index=False)
