#!/usr/bin/python3
"""A residual-likelihood anomaly detector built from backtest's row outputs, scored on NAB by nested LOCO.

Issue 17 asks whether the forecast's own residuals, judged against its predictive band and then against
the series' history of such judgements (the role HTM's anomaly likelihood plays), detect NAB's anomalies.
This computes that detector offline from `backtest --output-dir` rows, in a small family of variants:

  z      = |value - one-step median| / the one-step band's half on the residual's side (1 at the 90 % edge)
  raw    = "tail": 1 - two-sided Gaussian tail of 1.645 z;  "lin": min(z, 10) / 10
  short  = mean of raw over the last 1 or 10 steps (HTM uses 10)
  L      = Gaussian CDF of short against an EWMA mean and spread of short over 288 or 8,640 steps (HTM: 8,640)
  score  = -log10(1 - L) / 10, 0 for the first 288 steps;  with onset 288, 0 unless above the last 288 scores

and scores them with NAB's own Sweeper, leave one category out, in two ways: each variant with only the
threshold chosen on the other categories, and nested (the variant and the threshold both chosen on the
other categories, the held-out category scored with them), which is the figure to report.

    dotnet run -c Release --project src/Sidecar -- backtest --output-dir OUT NAB/data/
    /usr/bin/python3 bench/nab-residual-likelihood.py NAB OUT
"""
import importlib.util
import itertools
import json
import math
import os
import sys

import numpy as np
import pandas

if len(sys.argv) != 3:
    sys.exit(__doc__)
NAB, OUT = sys.argv[1], sys.argv[2]
sys.path.insert(0, NAB)
from nab.sweeper import Sweeper  # noqa: E402  (NAB's own scorer, from the checkout given)

# The folds and NAB's scoring helpers are nab-loco.py's, so both rate detectors the same way.
_spec = importlib.util.spec_from_file_location("nab_loco", os.path.join(os.path.dirname(os.path.abspath(__file__)), "nab-loco.py"))
loco = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(loco)
FOLDS, CATEGORIES = loco.FOLDS, loco.CATEGORIES


def phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def detector(frame, short, long_span, onset, raw_kind):
    v = frame["value"].values.astype(float)
    pred = frame["predicted"].values.astype(float)
    cols = [c for c in frame.columns if c.startswith("forecast_")]
    h = cols[0][len("forecast_"):]
    med = frame[f"forecast_{h}"].values.astype(float)
    lo = frame[f"lower_{h}"].values.astype(float)
    up = frame[f"upper_{h}"].values.astype(float)
    n = len(v)
    out = np.zeros(n)
    window = []
    mean = var = 0.0
    count = 0
    recent = []
    for t in range(1, n):
        r = v[t] - pred[t]
        gap = (up[t - 1] - med[t - 1]) if r >= 0 else (med[t - 1] - lo[t - 1])
        if not (np.isfinite(r) and np.isfinite(gap)):
            continue
        scale = max(gap, 1e-9 * max(1.0, abs(v[t])), 1e-12)
        z = abs(r) / scale
        if raw_kind == "tail":
            raw = 1 - 2 * (1 - phi(1.6449 * min(z, 8)))
        else:
            raw = min(z, 10) / 10
        window.append(raw)
        if len(window) > short:
            window.pop(0)
        m = sum(window) / len(window)
        score = 0.0
        if count >= 288:
            sd = max(math.sqrt(var), 1e-3)
            likelihood = phi((m - mean) / sd)
            score = min(1.0, -math.log10(max(1 - likelihood, 1e-10)) / 10)
        # long statistics of the short mean
        if count == 0:
            mean = m
        else:
            a = max(1.0 / (count + 1), 2.0 / (long_span + 1))
            d = m - mean
            mean += a * d
            var = (1 - a) * (var + a * d * d)
        count += 1
        if onset > 0:
            prior = max(recent) if recent else 0.0
            recent.append(score)
            if len(recent) > onset:
                recent.pop(0)
            score = score if score > prior else 0.0
        out[t] = score
    return out


VARIANTS = {f"s{s}_l{l}_o{o}_{k}": (s, l, o, k) for s, l, o, k in itertools.product([1, 10], [288, 8640], [0, 288], ["tail", "lin"])}


def main():
    with open(os.path.join(NAB, "labels", "combined_windows.json")) as f:
        windows = json.load(f)
    with open(os.path.join(NAB, "config", "profiles.json")) as f:
        cost = json.load(f)["standard"]["CostMatrix"]
    sweeper = Sweeper(probationPercent=0.15, costMatrix=cost)
    frames = {}
    for relative in sorted(windows):
        name = relative.split("/")[1]
        frames[relative] = pandas.read_csv(os.path.join(OUT, name))
    points = {v: {} for v in VARIANTS}
    counts = {}
    for relative, limits in sorted(windows.items()):
        directory = relative.split("/")[0]
        category = FOLDS.get(directory, directory)
        frame = frames[relative]
        stamps = pandas.to_datetime(frame["timestamp"])
        lim = [(pandas.to_datetime(a), pandas.to_datetime(b)) for a, b in limits]
        counts[category] = counts.get(category, 0) + len(lim)
        for v, params in VARIANTS.items():
            scores = detector(frame, *params)
            points[v].setdefault(category, []).extend(sweeper.calcSweepScore(stamps, scores, lim, relative))

    def best(pts):
        threshold = loco.best_threshold(sweeper, pts)
        return threshold, loco.score_at(sweeper, pts, threshold)

    def score_at(pts, threshold):
        return loco.score_at(sweeper, pts, threshold)

    def norm(raw, w):
        return loco.normalised(raw, w, cost)

    # Per variant: LOCO with threshold only, and whole corpus.
    for v in VARIANTS:
        folds = []
        for held in CATEGORIES:
            training = [p for c in CATEGORIES if c != held for p in points[v][c]]
            th, _ = best(training)
            folds.append(norm(score_at(points[v][held], th), counts[held]))
        every = [p for c in CATEGORIES for p in points[v][c]]
        th, raw = best(every)
        print(f"{v:<22} " + " ".join(f"{s:6.1f}" for s in folds) + f"  LOCO {sum(folds) / len(folds):5.1f}  whole {norm(raw, sum(counts.values())):5.1f}")
    # Nested: variant and threshold chosen on the other categories.
    nested = []
    for held in CATEGORIES:
        choice = None
        for v in VARIANTS:
            training = [p for c in CATEGORIES if c != held for p in points[v][c]]
            th, raw = best(training)
            if choice is None or raw > choice[2]:
                choice = (v, th, raw)
        v, th, _ = choice
        s = norm(score_at(points[v][held], th), counts[held])
        nested.append(s)
        print(f"fold {held}: chose {v}, score {s:.1f}")
    print(f"nested LOCO mean {sum(nested) / len(nested):.1f}")


if __name__ == "__main__":
    main()
