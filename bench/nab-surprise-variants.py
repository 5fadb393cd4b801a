#!/usr/bin/env python3
"""Offline experiment, not part of the sidecar: the global settings tried before building
anomaly_surprise. Each variant turns the sidecar's NAB scores (written by `backtest --nab-results` with
anomaly.surprise_window: 0, i.e. the plain score as s/(1+s)) into another detector's results, which NAB's
run.py then rates (-d v1,v2,...). Every variant is one setting for all files; none looks at labels.

    /usr/bin/python3 bench/nab-surprise-variants.py RESULTS_DIR

Variants:
  cdf-W-S      normal CDF of the mean of the last S scores against the mean/std of the last W (HTM-style)
  cdf-log-W-S  the same on log(1 + score)
  robust-W-1   normal CDF of the score against the median/MAD of the last W
  ewm-W        normal CDF of the score against an EWMA mean/std of span W
  onset-K      the product's anomaly_surprise results, kept only where highest of the last K steps
  z-W-F        z of the score against the last W scores' mean/std (std floored at F), written as z/(1+z)
"""
import math
import os
import sys
from glob import glob

import numpy as np
import pandas as pd


def cdf(z):
    return 0.5 * math.erfc(-z / math.sqrt(2))


def windowed(scores, window, short, floor=1e-6, mapping=cdf):
    out = np.zeros(len(scores))
    for i in range(window // 4, len(scores)):
        past = scores[max(0, i - window):i + 1]
        z = (scores[max(0, i - short + 1):i + 1].mean() - past.mean()) / max(past.std(), floor)
        out[i] = mapping(z)
    return out


def robust(scores, window):
    out = np.zeros(len(scores))
    for i in range(window // 4, len(scores)):
        past = scores[max(0, i - window):i + 1]
        median = np.median(past)
        spread = np.median(np.abs(past - median)) * 1.4826 + 1e-6
        out[i] = cdf((scores[i] - median) / spread)
    return out


def ewm(scores, span):
    alpha, mean, var = 2.0 / (span + 1), 0.0, 0.0
    out = np.zeros(len(scores))
    for i, x in enumerate(scores):
        if i == 0:
            mean = x
        if i >= span // 4:
            out[i] = cdf((x - mean) / (math.sqrt(var) + 1e-6))
        d = x - mean
        mean += alpha * d
        var = (1 - alpha) * (var + alpha * d * d)
    return out


def onset(mapped, steps):
    """Keeps a value only where it is the highest of the last `steps`: one signal per rise, as an alert on
    `anomaly_surprise > max_over_time(anomaly_surprise[1d] offset 1m)` would give."""
    out = mapped.copy()
    for i in range(1, len(mapped)):
        if mapped[max(0, i - steps):i].max() >= mapped[i]:
            out[i] = 0
    return out


def zmap(z):
    z = max(z, 0.0)
    return z / (1 + z)


VARIANTS = {
    "cdf-576-5": lambda s: windowed(s, 576, 5),
    "cdf-8640-10": lambda s: windowed(s, 8640, 10),
    "cdf-log-576-5": lambda s: windowed(np.log1p(s), 576, 5),
    "cdf-log-2016-5": lambda s: windowed(np.log1p(s), 2016, 5),
    "cdf-log-576-1": lambda s: windowed(np.log1p(s), 576, 1),
    "cdf-576-3": lambda s: windowed(s, 576, 3),
    "cdf-144-1": lambda s: windowed(s, 144, 1),
    "cdf-288-1": lambda s: windowed(s, 288, 1),
    "cdf-576-1": lambda s: windowed(s, 576, 1),
    "cdf-1152-1": lambda s: windowed(s, 1152, 1),
    "cdf-2016-1": lambda s: windowed(s, 2016, 1),
    "robust-576-1": lambda s: robust(s, 576),
    "ewm-144": lambda s: ewm(s, 144),
    "ewm-288": lambda s: ewm(s, 288),
    "ewm-576": lambda s: ewm(s, 576),
    "z-288-0": lambda s: windowed(s, 288, 1, 1e-6, zmap),
    "z-288-0.1": lambda s: windowed(s, 288, 1, 0.1, zmap),
    "z-288-0.25": lambda s: windowed(s, 288, 1, 0.25, zmap),
    "z-288-0.5": lambda s: windowed(s, 288, 1, 0.5, zmap),
}


# Applied to the product's own results (anomaly_surprise, as written by backtest with the default config).
ONSET = {"onset-12": 12, "onset-72": 72, "onset-144": 144, "onset-288": 288, "onset-576": 576, "onset-2016": 2016}


def main(results, names):
    for path in glob(os.path.join(results, "forecastSidecar", "*", "forecastSidecar_*.csv")):
        frame = pd.read_csv(path)
        mapped = frame["anomaly_score"].to_numpy()
        scores = mapped / (1 - np.clip(mapped, 0, 0.999999))  # undo s / (1 + s)
        category = os.path.basename(os.path.dirname(path))
        for name in names:
            detector = name.replace("-", "_").replace(".", "")
            out = frame.copy()
            out["anomaly_score"] = onset(mapped, ONSET[name]) if name in ONSET else VARIANTS[name](scores)
            os.makedirs(os.path.join(results, detector, category), exist_ok=True)
            out.to_csv(os.path.join(results, detector, category,
                                    os.path.basename(path).replace("forecastSidecar_", detector + "_", 1)), index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or list(VARIANTS) + list(ONSET))
