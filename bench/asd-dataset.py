#!/usr/bin/python3
"""Builds a second labelled anomaly set, the Application Server Dataset (ASD), as CSV files `backtest`
and NAB's runner read. Issue 17 asks for one whose anomalies operators labelled; no setting of the
sidecar may be chosen on it.

ASD (Li et al., "Multivariate Time Series Anomaly Detection and Interpretation using Hierarchical
Inter-Metric and Temporal Embedding", KDD 2021; MIT licence) comes from a large Internet company: 12
servers ("entities", omi-1 .. omi-12), 19 metrics each (CPU, memory, network, virtual machine), every 5
minutes, 30 days of training data then 15 days of test data. The dataset's description says the
anomalies in the test days "have been labeled by domain experts based on incident reports and domain
knowledge", each segment with the metrics that were most anomalous in it. Metric names and real
timestamps were removed by its publishers; each metric is min-max scaled to [0, 1] in steps of 0.01.
The data is not committed; this rebuilds the files from a checkout of the repository that holds it:

    apt-get install python3-numpy
    git clone https://github.com/zhhlee/InterFusion
    /usr/bin/python3 bench/asd-dataset.py InterFusion OUT

It writes
  OUT/data/omi-K/omi-K_mMM.csv   one file per server and metric (MM = 01..19, the labels' numbering),
                                 training and test days as one series: `timestamp,value`, consecutive
                                 5-minute steps from an arbitrary midnight (2021-01-04 00:00 UTC);
  OUT/series_windows.json        NAB's combined_windows.json layout: per file, the labelled segments
                                 that name its metric (a segment's first and last step, inclusive);
  OUT/server_windows.json        per server, every labelled segment, keyed "omi-K";
  OUT/test_start.json            per server, the timestamp of its first test step (the scorer rates
                                 only the test days, as the dataset's own protocol does).
"""
import json
import os
import pickle
import sys
from datetime import datetime, timedelta, timezone

import numpy as np

STEP = timedelta(minutes=5)
START = datetime(2021, 1, 4, tzinfo=timezone.utc)
SERVERS = [f"omi-{k}" for k in range(1, 13)]


def stamp(step):
    return (START + step * STEP).strftime("%Y-%m-%d %H:%M:%S")


def segments(checkout, server):
    """(first test step, last test step, metrics 1..19) of each labelled segment."""
    path = os.path.join(checkout, "data", "interpretation_label", f"{server}.txt")
    result = []
    for line in open(path).read().split("\n"):
        if not line.strip():
            continue
        span, metrics = line.split(":")
        first, last = (int(x) for x in span.split("-"))
        result.append((first, last, [int(m) for m in metrics.split(",")]))
    return result


def main(checkout, out):
    series_windows, server_windows, test_start = {}, {}, {}
    for server in SERVERS:
        def load(part):
            with open(os.path.join(checkout, "data", "processed", f"{server}_{part}.pkl"), "rb") as f:
                return np.asarray(pickle.load(f), dtype=float)
        train, test, labels = load("train"), load("test"), load("test_label")
        values = np.concatenate([train, test])
        offset = len(train)
        labelled = segments(checkout, server)
        # The segments are the labels: check they cover exactly the rows the label file marks.
        marked = np.zeros(len(test), dtype=bool)
        for first, last, _ in labelled:
            marked[first:last + 1] = True
        if not np.array_equal(marked, labels > 0):
            sys.exit(f"{server}: the interpretation segments and the test labels disagree")
        test_start[server] = stamp(offset)
        server_windows[server] = [[stamp(offset + a), stamp(offset + b)] for a, b, _ in labelled]
        os.makedirs(os.path.join(out, "data", server), exist_ok=True)
        for metric in range(1, values.shape[1] + 1):
            name = f"{server}_m{metric:02d}.csv"
            with open(os.path.join(out, "data", server, name), "w") as f:
                f.write("timestamp,value\n")
                for step, value in enumerate(values[:, metric - 1]):
                    f.write(f"{stamp(step)},{value:.6g}\n")
            series_windows[f"{server}/{name}"] = [
                [stamp(offset + a), stamp(offset + b)] for a, b, metrics in labelled if metric in metrics]
    for name, content in (("series_windows.json", series_windows), ("server_windows.json", server_windows),
                          ("test_start.json", test_start)):
        with open(os.path.join(out, name), "w") as f:
            json.dump(content, f, indent=1, sort_keys=True)
    segments_total = sum(len(w) for w in server_windows.values())
    print(f"{len(SERVERS)} servers, {len(series_windows)} series, {segments_total} labelled segments")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
