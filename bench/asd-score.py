#!/usr/bin/python3
"""Scores anomaly detectors on the Application Server Dataset (ASD; bench/asd-dataset.py builds it),
a labelled set no setting of the sidecar was chosen on.

Every detector has written NAB's results layout for the 228 ASD series (RESULTS/<detector>/omi-K/
<detector>_omi-K_mMM.csv with a timestamp and an anomaly_score in [0, 1]): the sidecar with `backtest
--nab-results`, NAB's own detectors with NAB's `run.py --detect`. Each ran over the 30 training days and
the 15 test days as one stream, as a sidecar would; only the test days are scored, as the dataset's
own protocol does, so the training days are every detector's warm-up (no NAB probation on top).

Threshold. A detector's threshold is the one NAB's optimiser chose for it on NAB's corpus (given as
DETECTOR=THRESHOLD; for NAB's detectors, config/thresholds.json's standard one), so nothing is chosen on
ASD. The best threshold on ASD itself is printed beside it, marked as chosen on the data it scores.

What is scored:
  servers  NAB's standard-profile score (its Sweeper: scaled-sigmoid rewards for the earliest detection
           in a window, costs for false positives), normalised as NAB does, where a server's score at each
           step is the highest of its 19 series' scores: "did anything on this server alert". Windows are
           the labelled segments. Then, at the threshold: segments found (a step at or above the threshold
           inside the segment), median steps from the segment's start to the first such step, and false
           alarms per server-week (rises to the threshold that start outside every segment).
  series   the same NAB score per series, with the segments the experts said involved that series.
  PA-F1    the point-adjusted best F1 that ASD's publishers report (a segment counts as wholly found if
           any of its steps is flagged, the threshold chosen on the test data). It is printed only so the
           figures can be put beside published ones; it flatters: scores drawn at random reach a high PA-F1
           on long segments, so a `random` row is printed with it.

    /usr/bin/python3 bench/asd-score.py NAB_CHECKOUT ASD_DIR RESULTS forecastSidecar=0.5475 contextOSE ...
"""
import importlib.util
import json
import os
import sys

import numpy as np
import pandas

NAB, ASD, RESULTS = sys.argv[1:4]
sys.path.insert(0, NAB)
from nab.sweeper import Sweeper  # noqa: E402  (NAB's own scorer, from the checkout given)

_spec = importlib.util.spec_from_file_location("nab_loco", os.path.join(os.path.dirname(__file__), "nab-loco.py"))
nab_loco = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nab_loco)

STANDARD = dict(tpWeight=1.0, fpWeight=0.11, fnWeight=1.0)
STEPS_PER_WEEK = 7 * 288


def load_json(name):
    with open(os.path.join(ASD, name)) as f:
        return json.load(f)


def read_scores(detector, server, name):
    frame = pandas.read_csv(os.path.join(RESULTS, detector, server, f"{detector}_{name}"))
    return pandas.to_datetime(frame["timestamp"]), frame["anomaly_score"].to_numpy(dtype=float)


def test_rows(stamps, server, starts):
    keep = (stamps >= pandas.Timestamp(starts[server])).to_numpy()
    return stamps[keep].reset_index(drop=True), keep


def limits_of(windows):
    return [(pandas.Timestamp(a), pandas.Timestamp(b)) for a, b in windows]


def nab_score(streams, threshold=None):
    """(normalised NAB standard score at `threshold`, or at its best if None; the threshold used)."""
    sweeper = Sweeper(probationPercent=0.0, costMatrix=STANDARD)
    points, windows = [], 0
    for name, (stamps, scores, limits) in streams.items():
        points += sweeper.calcSweepScore(stamps, scores, limits, name)
        windows += len(limits)
    if threshold is None:
        threshold = nab_loco.best_threshold(sweeper, points)
    return nab_loco.normalised(nab_loco.score_at(sweeper, points, threshold), windows, STANDARD), threshold


def events(streams, threshold):
    """Segments found, median steps to the first detection, false alarms per server-week."""
    found, total, delays, false_rises, steps = 0, 0, [], 0, 0
    for stamps, scores, limits in streams.values():
        above = scores >= threshold
        inside = np.zeros(len(scores), dtype=bool)
        for a, b in limits:
            segment = ((stamps >= a) & (stamps <= b)).to_numpy()
            inside |= segment
            total += 1
            hits = np.flatnonzero(above & segment)
            if len(hits):
                found += 1
                delays.append(hits[0] - np.flatnonzero(segment)[0])
        rises = above & ~np.concatenate([[False], above[:-1]])
        false_rises += int(np.count_nonzero(rises & ~inside))
        steps += len(scores)
    return found, total, (float(np.median(delays)) if delays else float("nan")), false_rises / steps * STEPS_PER_WEEK


def point_adjusted_f1(streams):
    """The best F1 over thresholds with point adjustment, over all servers' test steps."""
    labels, scores = [], []
    for stamps, values, limits in streams.values():
        label = np.zeros(len(values), dtype=bool)
        adjusted = values.copy()
        for a, b in limits:
            segment = ((stamps >= a) & (stamps <= b)).to_numpy()
            label |= segment
            adjusted[segment] = values[segment].max()  # any flagged step flags the whole segment
        labels.append(label)
        scores.append(adjusted)
    labels, scores = np.concatenate(labels), np.concatenate(scores)
    order = np.argsort(-scores, kind="stable")
    tp = np.cumsum(labels[order])
    flagged = np.arange(1, len(order) + 1)
    distinct = np.r_[scores[order][1:] != scores[order][:-1], True]  # cut only between different scores
    precision, recall = tp[distinct] / flagged[distinct], tp[distinct] / labels.sum()
    return float(np.max(2 * precision * recall / np.maximum(precision + recall, 1e-12)))


def main(detectors):
    starts = load_json("test_start.json")
    server_windows, series_windows = load_json("server_windows.json"), load_json("series_windows.json")
    print("detector            NAB threshold   servers: NAB std (best on ASD)   found   median delay   false/server-week"
          "   series: NAB std (best on ASD)   PA-F1")
    rows = []
    for spec in detectors:
        detector, _, given = spec.partition("=")
        threshold = float(given) if given else json.load(open(os.path.join(NAB, "config", "thresholds.json")))[detector]["standard"]["threshold"]
        servers, series = {}, {}
        for server in sorted(server_windows):
            highest = None
            for name in sorted(n for n in series_windows if n.startswith(server + "/")):
                stamps, scores = read_scores(detector, server, name.split("/")[1])
                stamps, keep = test_rows(stamps, server, starts)
                scores = np.nan_to_num(scores[keep])
                series[name] = (stamps, scores, limits_of(series_windows[name]))
                highest = scores if highest is None else np.maximum(highest, scores)
            servers[server] = (stamps, highest, limits_of(server_windows[server]))
        rows.append((detector, threshold, servers, series))
    for detector, threshold, servers, series in rows:
        at, _ = nab_score(servers, threshold)
        best, best_threshold = nab_score(servers)
        found, total, delay, false_rate = events(servers, threshold)
        series_at, _ = nab_score(series, threshold)
        series_best, _ = nab_score(series)
        print(f"{detector:<19} {threshold:13.4f}   {at:17.1f} ({best:5.1f} at {best_threshold:.3f})   {found:2d}/{total}"
              f"   {delay:12.0f}   {false_rate:17.2f}   {series_at:17.1f} ({series_best:5.1f})   {point_adjusted_f1(servers):5.3f}")
    rng = np.random.default_rng(0)
    _, _, servers, _ = rows[0]
    random = {k: (s, rng.random(len(v)), w) for k, (s, v, w) in servers.items()}
    print(f"{'random':<19} {'':13}   {'':17} {'':20}   {'':5}   {'':12}   {'':17}   {'':17} {'':7}   {point_adjusted_f1(random):5.3f}")


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    main(sys.argv[4:])
