#!/usr/bin/python3
"""Reference fits for HoltWintersFitTests: statsmodels' additive Holt-Winters, every parameter estimated.

Writes three synthetic series (season 24, 14 seasons each) and what statsmodels 0.13 (Debian's
python3-statsmodels) fits to them: the in-sample SSE and the forecasts 1..6 steps past the end. Run once;
the output is committed, so the tests need no Python:

    apt-get install python3-statsmodels
    /usr/bin/python3 bench/holt-winters-reference.py tests/Sidecar.Tests/Model/Baselines/TestData
"""
import json
import sys

import numpy as np
from statsmodels.tsa.holtwinters import ExponentialSmoothing

M, SEASONS, HORIZON = 24, 14, 6


def series(kind, rng):
    t = np.arange(M * SEASONS)
    daily = np.sin(2 * np.pi * t / M)
    if kind == "trend_and_season":
        return 50 + 0.05 * t + 10 * daily + rng.normal(0, 1, t.size)
    if kind == "noisy_season":
        return 200 + 30 * daily + 15 * np.cos(4 * np.pi * t / M) + rng.normal(0, 12, t.size)
    if kind == "level_shift":
        return 5 + 2 * daily + np.where(t > M * 9, 4, 0) + rng.normal(0, 0.5, t.size)
    raise ValueError(kind)


def main(out):
    rng = np.random.default_rng(20261203)
    reference = {}
    for kind in ["trend_and_season", "noisy_season", "level_shift"]:
        y = series(kind, rng)
        np.savetxt(f"{out}/{kind}.csv", y, fmt="%.6f")
        fit = ExponentialSmoothing(y, trend="add", seasonal="add", seasonal_periods=M,
                                   initialization_method="estimated").fit()
        reference[kind] = {
            "sse": float(fit.sse),
            "alpha": float(fit.params["smoothing_level"]),
            "beta": float(fit.params["smoothing_trend"]),
            "gamma": float(fit.params["smoothing_seasonal"]),
            "forecast": [float(v) for v in fit.forecast(HORIZON)],
        }
    with open(f"{out}/holt-winters-statsmodels.json", "w") as f:
        json.dump({"statsmodels": __import__("statsmodels").__version__, "season": M, "fits": reference}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
