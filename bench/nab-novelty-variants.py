#!/usr/bin/env python3
"""Offline experiment, not part of the sidecar: the global settings tried for anomaly_novelty, and what
each view adds. It re-implements the novelty of Score/NoveltyScorer.cs in numpy over the rows that
`backtest --output-dir DIR` wrote (their value and anomaly_surprise columns), varies one setting at a
time, and rates every variant with NAB's own sweeper and threshold optimiser (standard profile, 51 files).
Every variant is one setting for all files; none looks at labels. NAB's code is imported from a checkout,
not copied:

    /usr/bin/python3 bench/nab-novelty-variants.py BACKTEST_OUTPUT_DIR NAB_CHECKOUT NAB_DATA_DIR

It takes about ten minutes. The sidecar itself works on its step grid, so on the few files with
irregular timestamps its figure differs a little from the row-by-row one here.
"""
import json
import math
import os
import sys

import numpy as np
import pandas as pd

# Set by main, or by a script that imports this one (bench/nab-nested-loco.py): the NAB data directory
# (the files' timestamps) and its combined_windows.json.
DATA, WINDOWS = None, None
VIEWS = ("value", "level", "change", "surprise")
# Not in the sidecar: how busy the series is, the mean |step-to-step change| over the smoothing window,
# against its own records in both directions (a series that goes flat, or erratic). Its records fade
# towards where it is now. A candidate for bench/nab-nested-loco.py.
# The week-over-week view (in the sidecar since 2026-12-05; `week=True` below), the horizon view and the
# shape view (neither in the sidecar; `horizon=` and `shape=` below) come last, so that the indices of the
# others stay what they were.
ALL_VIEWS = VIEWS + ("volatility", "week", "horizon", "shape")
# The defaults this script's sweep started from and varies one at a time (the sidecar's until 2026-12-05;
# bench/nab-nested-loco.py rates the current ones).
DEFAULT = dict(views=VIEWS, smoothing=24, half_life_days=56, onset=12, weights={}, daily_correlation=0.5)
# The sidecar's defaults since 2026-12-05 (the nested protocol's pick on all six NAB categories), as novelty() takes them.
SIDECAR = dict(views=VIEWS, smoothing=48, half_life_days=56, onset=12, weights={}, daily_correlation=-1, week=True)


class DailyCorrelation:
    """Score/DailyCorrelation.cs: the correlation of (value, value a day earlier), old pairs fading."""

    def __init__(self):
        self.pairs, self.weight, self.mx, self.my, self.sxx, self.syy, self.sxy = 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0

    def add(self, x, y, keep):
        self.pairs += 1
        self.weight = self.weight * keep + 1
        self.sxx *= keep
        self.syy *= keep
        self.sxy *= keep
        dx, dy = x - self.mx, y - self.my
        self.mx += dx / self.weight
        self.my += dy / self.weight
        self.sxx += dx * (x - self.mx)
        self.syy += dy * (y - self.my)
        self.sxy += dx * (y - self.my)

    def correlation(self):
        return self.sxy / math.sqrt(self.sxx * self.syy) if self.sxx > 0 and self.syy > 0 else 0.0


def horizon_surprise(frame):
    """Not in the sidecar: how far each value fell from the longer-horizon forecast made for it, in units of
    that forecast's band on the value's side (1 at the band's edge), from a backtest's rows (their last
    horizon's forecast, lower and upper columns, made at the row that many rows before). The one-step
    forecast follows a level shift within a few steps; the forecast made an hour earlier does not, so this
    stays high for the whole horizon. For novelty's `horizon` view (bench/nab-nested-loco.py --horizon-view)."""
    forecast_column = [c for c in frame.columns if c.startswith("forecast_")][-1]
    label = forecast_column[len("forecast_"):]
    v = frame.value.to_numpy(dtype=float)
    ahead = frame[forecast_column].to_numpy(dtype=float)
    lower, upper = frame[f"lower_{label}"].to_numpy(dtype=float), frame[f"upper_{label}"].to_numpy(dtype=float)
    rows = HORIZON_ROWS
    z = np.full(len(v), np.nan)
    for i in range(rows, len(v)):
        f, lo, hi = ahead[i - rows], lower[i - rows], upper[i - rows]
        gap = hi - f if v[i] >= f else f - lo
        if gap > 0 and not math.isnan(v[i]):
            z[i] = abs(v[i] - f) / gap
    return z


def shape_distance(v, window, memory_days, day, segments=8):
    """Not in the sidecar: how unlike every earlier stretch of the series the last `window` rows are, the idea
    of matrix-profile discords and of ARTime, made causal and bounded. Each window is cut into `segments`
    means (piecewise aggregate), less its own mean, so a level shift is the level view's business and this one
    sees the pattern; its distance to the nearest window that ended at least `window` rows earlier, within the
    last `memory_days` (every `window // 4`-th one kept), root-mean-square per segment. NaN where the window
    has a gap or nothing earlier is kept. For novelty's `shape` view (bench/nab-nested-loco.py --shape-view).
    Tried on 2026-12-05: no fold chose it (docs/accuracy.md)."""
    n = len(v)
    segments = min(segments, window)
    cut = np.linspace(0, window, segments + 1).round().astype(int)
    padded = np.r_[0.0, np.cumsum(np.nan_to_num(v))]
    gaps = np.r_[0, np.cumsum(np.isnan(v))]
    ends = np.arange(window - 1, n)
    starts = ends - window + 1
    paa = np.stack([(padded[starts + b] - padded[starts + a]) / (b - a) for a, b in zip(cut[:-1], cut[1:])], axis=1)
    paa -= paa.mean(axis=1, keepdims=True)
    valid = (gaps[ends + 1] - gaps[starts]) == 0
    out = np.full(n, np.nan)
    stride = max(1, window // 4)
    kept = ends[(ends % stride == 0) & valid]
    memory = int(memory_days * day) if memory_days else n
    if len(kept) == 0:
        return out
    kept_paa = paa[kept - (window - 1)]
    kept_norm = (kept_paa ** 2).sum(axis=1)
    for lo in range(0, len(ends), 1024):
        block = slice(lo, lo + 1024)
        e, a = ends[block], paa[block]
        d2 = (a ** 2).sum(axis=1)[:, None] + kept_norm[None, :] - 2 * a @ kept_paa.T
        usable = (kept[None, :] <= e[:, None] - window) & (kept[None, :] > e[:, None] - memory)
        d2 = np.where(usable, d2, np.inf).min(axis=1)
        d = np.sqrt(np.maximum(d2, 0) / segments)
        d[~valid[block] | np.isinf(d2)] = np.nan
        out[e] = d
    return out


# backtest's longer horizon is 12 steps on every NAB file (1h on 5-minute files, 6h on nyc_taxi's 30 minutes,
# 12h on hourly ones); rows stand for steps except on realTraffic's irregular timestamps.
HORIZON_ROWS = 12


def tail_surprise(scores, day, refit=288, level=0.98):
    """Not in the sidecar: each anomaly score as -log10 of its tail probability under the series' own earlier
    scores, for novelty's surprise view in place of the z-score surprise (bench/nab-nested-loco.py
    --tail-surprise). The body is the empirical distribution of the earlier scores; past their 98th
    percentile a generalised Pareto tail, fitted to the excesses by the method of moments (as SPOT, Siffer
    et al., KDD 2017), so a score beyond any seen still gets a finite probability. Both are refitted every
    `refit` steps; 0 until a day of scores. Tried on 2026-12-05: it did not beat the z-score (docs/accuracy.md)."""
    out = np.zeros(len(scores))
    past, model = [], None
    for i, s in enumerate(scores):
        if math.isnan(s):
            continue
        if len(past) >= day:
            if model is None or len(past) - model[0] >= refit:
                h = np.sort(np.array(past))
                u = h[int(level * (len(h) - 1))]
                excess = h[h > u] - u
                m, var = (excess.mean(), excess.var()) if len(excess) >= 10 else (0.0, 0.0)
                if m > 0 and var > 0:
                    xi, sigma = min(max(0.5 * (1 - m * m / var), -0.45), 0.45), 0.5 * m * (1 + m * m / var)
                else:
                    xi, sigma = 0.0, max(h[-1] - u, 1e-9)
                model = (len(past), h, u, xi, sigma, len(excess) / len(h))
            _, h, u, xi, sigma, share = model
            if s <= u:
                p = (len(h) - np.searchsorted(h, s, side="left") + 1) / (len(h) + 1)
            elif abs(xi) < 1e-6:
                p = share * math.exp(-(s - u) / sigma)
            else:
                base = 1 + xi * (s - u) / sigma
                p = share * base ** (-1 / xi) if base > 0 else 1e-12
            out[i] = -math.log10(max(p, 1e-12))
        past.append(s)
    return out


def novelty(v, surprise, day, views, smoothing, half_life_days, onset, weights, daily_correlation, warmup_days=0, week=False,
            surprise_smoothing=1, sum_views=False, horizon=None, shape=None):
    """Per row: the NAB score n/(1+n), the reported novelty n, and the view that went furthest beyond its record.

    `surprise_smoothing` > 1 takes the surprise view's value as the mean of that many rows instead of one
    row's (bench/nab-nested-loco.py --smoothed-surprise passes the smoothing here). Not in the sidecar:
    tried on 2026-12-05, it gained on NAB and lost on the Application Server Dataset (docs/accuracy.md).
    `sum_views` adds the distances of every view beyond its record instead of taking the largest, and
    `horizon` (an array, see horizon_surprise) adds a view on the longer horizon's forecast: neither is in
    the sidecar (bench/nab-nested-loco.py --sum-views, --horizon-view). `shape` (an array, see shape_distance)
    adds a view on the last rows' pattern, not in the sidecar either (--shape-view)."""
    n = len(v)
    keep = 0.5 ** (1 / (half_life_days * day)) if half_life_days else 1.0
    ranges = {name: [math.nan, math.nan] for name in views + (("week",) if week else ()) + (("horizon",) if horizon is not None else ())
              + (("shape",) if shape is not None else ())}
    for name in ("change", "surprise", "week", "horizon", "shape"):
        if name in ranges:
            ranges[name] = [0.0, 0.0]
    raw = np.zeros(n)
    furthest = np.zeros(n, dtype=int)
    seen = 0
    week_seen = 0  # week-over-week changes taken into that view's record: it counts after a day of them
    daily, weekly = DailyCorrelation(), DailyCorrelation()
    # The level and the day-over-day change: means over the last `smoothing` rows, NaN where fewer than
    # half of them are there; the change only once a full window a day earlier exists.
    half = (smoothing + 1) // 2
    levels = pd.Series(v).rolling(smoothing, min_periods=half).mean().to_numpy()
    week_steps = 7 * day
    day_changes = np.abs(v - np.r_[np.full(min(day, n), np.nan), v[:max(n - day, 0)]])
    week_changes = np.abs(v - np.r_[np.full(min(week_steps, n), np.nan), v[:max(n - week_steps, 0)]])
    changes = pd.Series(day_changes).rolling(smoothing, min_periods=half).mean().to_numpy()
    changes[:min(n, day + smoothing - 1)] = np.nan
    weeks = pd.Series(week_changes).rolling(smoothing, min_periods=half).mean().to_numpy()
    if surprise_smoothing > 1:
        # As the level's mean: NaN where fewer than half of the rows have a surprise (Score/WindowMean.cs).
        surprise = pd.Series(surprise).rolling(surprise_smoothing, min_periods=(surprise_smoothing + 1) // 2).mean().to_numpy()
    volatilities = pd.Series(np.abs(np.diff(v, prepend=np.nan))).rolling(smoothing, min_periods=half).mean().to_numpy()
    for i in range(n):
        x = v[i]
        if math.isnan(x):
            continue
        level, change = levels[i], changes[i]
        now = dict(value=x, level=level, change=change, surprise=surprise[i], volatility=volatilities[i], week=weeks[i],
                   horizon=horizon[i] if horizon is not None else math.nan, shape=shape[i] if shape is not None else math.nan)
        centre = x if math.isnan(level) else level
        daily_pattern = daily_correlation <= -1 or (daily.pairs >= day and daily.correlation() >= daily_correlation)
        weekly_pattern = week_seen >= day and (daily_correlation <= -1 or (weekly.pairs >= day and weekly.correlation() >= daily_correlation))
        beyond = 0.0
        total = 0.0  # with sum_views: the distances of every view beyond its record, added
        for name, r in ranges.items():
            y = now[name]
            if math.isnan(y):
                continue
            lo, hi = r
            counts = (name != "change" or daily_pattern) and (name != "week" or weekly_pattern)
            if counts and seen >= max(day, smoothing) and hi - lo > 0:
                distance = weights.get(name, 1.0) * max((y - hi) / (hi - lo), (lo - y) / (hi - lo))
                if distance > beyond:
                    beyond, furthest[i] = distance, ALL_VIEWS.index(name)
                total += max(distance, 0.0)
            c = 0.0 if name in ("change", "surprise", "week", "horizon", "shape") else y if name == "volatility" else centre
            if math.isnan(hi):
                r[0] = r[1] = y
            else:
                hi = c + (hi - c) * keep if hi > c else hi
                lo = c + (lo - c) * keep if lo < c else lo
                r[0], r[1] = min(lo, y), max(hi, y)
            if name == "week":
                week_seen += 1
        if sum_views:
            beyond = total
        # Not in the sidecar (a candidate for bench/nab-nested-loco.py): records built from little history
        # break often by chance (the n-th of n like values is a record with probability 2/n), so over the
        # first warmup_days the distance counts in proportion to the history seen.
        if warmup_days:
            beyond *= min(1.0, seen / (warmup_days * day))
        raw[i] = beyond / 0.05
        if i >= day and not math.isnan(v[i - day]):
            daily.add(x, v[i - day], keep)
        if i >= week_steps and not math.isnan(v[i - week_steps]):
            weekly.add(x, v[i - week_steps], keep)
        seen += 1
    out = onset_filter(raw, onset)
    return out / (1 + out), out, furthest


def onset_filter(raw, onset):
    """A row reports only where it is above every one of the onset - 1 rows before it."""
    out = raw.copy()
    if onset > 1:
        before = pd.Series(np.r_[0.0, raw[:-1]]).rolling(onset - 1, min_periods=1).max().to_numpy()
        out[raw <= np.maximum(before, 0.0)] = 0
    return out


def rate(results, detail=False):
    from nab.sweeper import Sweeper  # NAB's own scorer, from the checkout main puts on the path
    sweeper = Sweeper(probationPercent=0.15, costMatrix=dict(tpWeight=1.0, fpWeight=0.11, fnWeight=1.0))
    points, windows = [], 0
    for name, scores in results.items():
        timestamps = list(pd.to_datetime(pd.read_csv(os.path.join(DATA, name)).timestamp))
        limits = [(pd.Timestamp(a), pd.Timestamp(b)) for a, b in WINDOWS[name]]
        windows += len(limits)
        points += sweeper.calcSweepScore(timestamps, list(scores), limits, name)
    best = max(sweeper.calcScoreByThreshold(points), key=lambda t: t.score)
    score = 100 * (best.score + windows) / (2 * windows)
    return (score, best.threshold) if detail else score


def outside_windows(name, length):
    """Rows outside the file's anomaly windows, as a mask."""
    timestamps = pd.to_datetime(pd.read_csv(os.path.join(DATA, name)).timestamp)
    mask = np.ones(length, dtype=bool)
    for a, b in WINDOWS[name]:
        mask &= ~((timestamps >= pd.Timestamp(a)) & (timestamps <= pd.Timestamp(b))).values
    return mask


def false_alarms(files, runs, threshold):
    """At NAB's threshold, flagged rows outside the windows (after NAB's probation) by the view that flagged them,
    and the windows with a flagged row; and how often novelty passes 1 outside the windows after a series' first day."""
    by_view, above_one, rows, found, windows = dict.fromkeys(ALL_VIEWS, 0), 0, 0, 0, 0
    for name, (scores, reported, furthest) in runs.items():
        day = files[name][2]
        timestamps = pd.to_datetime(pd.read_csv(os.path.join(DATA, name)).timestamp)
        for a, b in WINDOWS[name]:
            inside = ((timestamps >= pd.Timestamp(a)) & (timestamps <= pd.Timestamp(b))).values
            windows += 1
            found += int(np.any(scores[inside] >= threshold))
        outside = outside_windows(name, len(scores))
        probation = int(min(math.floor(0.15 * len(scores)), 0.15 * 5000))
        for i in np.nonzero((scores >= threshold) & outside)[0]:
            if i >= probation:
                by_view[ALL_VIEWS[furthest[i]]] += 1
        after_first_day = outside & (np.arange(len(scores)) >= day)
        above_one += int(np.count_nonzero(reported[after_first_day] > 1))
        rows += int(np.count_nonzero(after_first_day))
    print(f"  at NAB's threshold {threshold:.4f}, flagged rows outside the windows by view: {by_view}; windows with a flagged row: {found} of {windows}")
    print(f"  novelty above 1 outside the windows after the first day: {above_one} of {rows} rows (one per {rows / max(above_one, 1):.0f})")


def main():
    files = {}
    for name in WINDOWS:
        rows = pd.read_csv(os.path.join(OUTPUT, name.split("/")[1]))
        step = (pd.Timestamp(rows.timestamp[1]) - pd.Timestamp(rows.timestamp[0])).total_seconds()
        surprise = rows.anomaly_surprise.values.astype(float)
        files[name] = (rows.value.values.astype(float), surprise, max(1, round(86400 / step)))
    variants = [("defaults: value, level, change (daily correlation 0.5), surprise; smoothing 24, half-life 8w, onset 12", {})]
    variants += [("the change view always counts (daily correlation -1, as before)", dict(daily_correlation=-1))]
    variants += [(f"daily correlation {c}", dict(daily_correlation=c)) for c in (0.3, 0.7)]
    variants += [(f"without the {view} view", dict(views=tuple(v for v in DEFAULT["views"] if v != view))) for view in DEFAULT["views"]]
    variants += [("value view only", dict(views=("value",)))]
    variants += [(f"half-life {d} days" if d else "records never fade", dict(half_life_days=d)) for d in (0, 14, 28)]
    variants += [(f"onset {k} steps", dict(onset=k)) for k in (1, 6, 24)]
    variants += [(f"smoothing {s} steps", dict(smoothing=s)) for s in (12, 48)]
    variants += [("the day-over-day view weighted 0.5, ungated (not shipped: a knob per view)", dict(weights={"change": 0.5}, daily_correlation=-1))]
    for label, change in variants:
        settings = {**DEFAULT, **change}
        runs = {name: novelty(v, s, day, **settings) for name, (v, s, day) in files.items()}
        score, threshold = rate({name: run[0] for name, run in runs.items()}, detail=True)
        print(f"{score:5.1f}  {label}", flush=True)
        if not change or change == dict(daily_correlation=-1):
            false_alarms(files, runs, threshold)


if __name__ == "__main__":
    OUTPUT, NAB, DATA = sys.argv[1:4]
    sys.path.insert(0, NAB)
    WINDOWS = json.load(open(os.path.join(DATA, "combined_windows.json")))
    main()
