#!/usr/bin/env python3
"""Offline experiment, not part of the sidecar: turns the forecast sidecar's NAB results into an
HTM-style anomaly likelihood, to see whether that is worth building into the scorer.

For each row, the likelihood is the normal CDF of the mean of the last 5 scores measured against the
mean and standard deviation of the previous two days of scores (576 rows at 5 minutes). Rows in the
first quarter of that window stay 0. One global setting, no per-file tuning.

    /usr/bin/python3 bench/nab-likelihood-experiment.py RESULTS_DIR

reads RESULTS_DIR/forecastSidecar/*/*.csv (written by `backtest --nab-results RESULTS_DIR`) and writes
RESULTS_DIR/likelihoodSidecar/, which NAB's run.py then scores with -d likelihoodSidecar.
"""
import math
import os
import sys
from glob import glob

import numpy as np
import pandas as pd

LONG, SHORT = 576, 5


def likelihood(scores):
    out = np.zeros(len(scores))
    for i in range(LONG // 4, len(scores)):
        window = scores[max(0, i - LONG):i + 1]
        z = (scores[max(0, i - SHORT + 1):i + 1].mean() - window.mean()) / (window.std() + 1e-6)
        out[i] = 0.5 * math.erfc(-z / math.sqrt(2))
    return out


def main(results):
    for path in glob(os.path.join(results, "forecastSidecar", "*", "forecastSidecar_*.csv")):
        frame = pd.read_csv(path)
        mapped = frame["anomaly_score"].to_numpy()
        # The results hold s / (1 + s); undo it to get the sidecar's score back.
        frame["anomaly_score"] = likelihood(mapped / (1 - np.clip(mapped, 0, 0.999999)))
        category = os.path.basename(os.path.dirname(path))
        name = os.path.basename(path).replace("forecastSidecar_", "likelihoodSidecar_", 1)
        os.makedirs(os.path.join(results, "likelihoodSidecar", category), exist_ok=True)
        frame.to_csv(os.path.join(results, "likelihoodSidecar", category, name), index=False)


if __name__ == "__main__":
    main(sys.argv[1])
