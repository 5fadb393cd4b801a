#!/usr/bin/python3
"""Leave-one-category-out NAB scores: each category scored at a threshold chosen on the other categories.

NAB's own scoring optimises one threshold per detector on the whole corpus and reports the score there,
so the threshold is chosen on the files it is reported on. This script keeps NAB's scoring (its Sweeper:
the scaled-sigmoid window rewards, the probationary period, the cost profiles) and changes only where
the threshold comes from: for each of NAB's categories (the two artificial ones as one fold), the threshold that maximises the summed
raw score of the other six is applied to the held-out category, whose score is normalised as NAB
normalises (100 * (raw - null) / (perfect - null), with the null detector's raw score being every window
missed and perfect every window found). It reports each fold, the mean over folds, and, for reference,
NAB's usual whole-corpus optimum computed the same way.

Run it the same way on every detector's results files, so the comparison is like for like:

    apt-get install python3-pandas
    git clone https://github.com/numenta/NAB
    dotnet run -c Release --project src/Sidecar -- backtest --nab-results RESULTS \\
        --nab-windows NAB/labels/combined_windows.json NAB/data/
    cp -r NAB/results/numenta NAB/results/ARTime NAB/results/contextOSE RESULTS/
    /usr/bin/python3 bench/nab-loco.py NAB RESULTS forecastSidecar contextOSE numenta ARTime

The threshold is the only thing chosen per fold here. Any other setting of a detector that was chosen
on the corpus (for the sidecar: the novelty defaults, swept on the 51 files outside realKnownCause) still
leaks into those folds; the realKnownCause fold is the one held out from those sweeps as well.
"""
import json
import os
import sys

import pandas

sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else ".")
from nab.sweeper import Sweeper  # noqa: E402  (NAB's own scorer, from the checkout given)

# NAB's categories as folds. artificialNoAnomaly has no windows, so alone it can't be normalised (perfect
# and null are both 0); it is held out together with artificialWithAnomaly, as one "artificial" fold.
FOLDS = {"artificialNoAnomaly": "artificial", "artificialWithAnomaly": "artificial"}
CATEGORIES = ["artificial", "realAdExchange", "realAWSCloudwatch", "realKnownCause", "realTraffic", "realTweets"]


def load_points(nab, results, detector, sweeper):
    """Per category, every row of the detector's results files as NAB's AnomalyPoints."""
    with open(os.path.join(nab, "labels", "combined_windows.json")) as f:
        windows = json.load(f)
    points, window_counts = {}, {}
    for relative, limits in sorted(windows.items()):
        directory, name = relative.split("/")
        category = FOLDS.get(directory, directory)
        path = os.path.join(results, detector, directory, f"{detector}_{name}")
        frame = pandas.read_csv(path)
        stamps = pandas.to_datetime(frame["timestamp"])
        limits = [(pandas.to_datetime(a), pandas.to_datetime(b)) for a, b in limits]
        points.setdefault(category, []).extend(
            sweeper.calcSweepScore(stamps, frame["anomaly_score"].values, limits, relative))
        window_counts[category] = window_counts.get(category, 0) + len(limits)
    return points, window_counts


def score_at(sweeper, points, threshold):
    """NAB's raw score of these points with detections above `threshold`, as its scoreDataSet picks the row."""
    previous = None
    for row in sweeper.calcScoreByThreshold(points):
        if row.threshold == threshold:
            return row.score
        if row.threshold < threshold:
            return previous.score
        previous = row
    return previous.score


def best_threshold(sweeper, points):
    rows = sweeper.calcScoreByThreshold(points)
    best = max(rows, key=lambda r: r.score)
    return best.threshold


def normalised(raw, windows, cost):
    null = -cost["fnWeight"] * windows
    perfect = cost["tpWeight"] * windows
    return 100 * (raw - null) / (perfect - null)


def main(nab, results, detectors):
    with open(os.path.join(nab, "config", "profiles.json")) as f:
        profiles = json.load(f)
    for profile in ["standard", "reward_low_FP_rate", "reward_low_FN_rate"]:
        cost = profiles[profile]["CostMatrix"]
        print(f"== profile {profile}")
        print("detector          " + " ".join(f"{c[:12]:>12}" for c in CATEGORIES) + "   LOCO mean   whole corpus (at its threshold)")
        for detector in detectors:
            sweeper = Sweeper(probationPercent=0.15, costMatrix=cost)
            points, windows = load_points(nab, results, detector, sweeper)
            folds = []
            for held_out in CATEGORIES:
                training = [p for c in CATEGORIES if c != held_out for p in points[c]]
                threshold = best_threshold(sweeper, training)
                folds.append(normalised(score_at(sweeper, points[held_out], threshold), windows[held_out], cost))
            everything = [p for c in CATEGORIES for p in points[c]]
            overall = best_threshold(sweeper, everything)
            whole = normalised(score_at(sweeper, everything, overall), sum(windows.values()), cost)
            print(f"{detector:<17} " + " ".join(f"{s:12.1f}" for s in folds) + f"   {sum(folds) / len(folds):9.1f}   {whole:12.1f} ({overall:.4f})")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
