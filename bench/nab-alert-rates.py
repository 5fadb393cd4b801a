#!/usr/bin/python3
"""Pages the shipped anomaly alert rules would send on NAB's labelled files: false ones per series-week of
normal time, and how many labelled anomaly windows got a page.

NAB's score rates a detector's scores; an SRE wants to know how often the rules in
rules/forecast-sidecar.rules.yml page, and how often for nothing. This script replays the anomaly
rules over the per-row scores `backtest --nab-results` writes (NAB's layout; a score s is stored as
s / (1 + s), so s > 1 is a stored value above 0.5):

  MetricAnomalous       max_over_time(anomaly_novelty[1h]) > 7  (detector forecastSidecar)
  MetricNovelBehaviour  max_over_time(anomaly_novelty[1h]) > 1  (detector forecastSidecar)
  and, for comparison, the MetricAnomalous before 2026-12-04: anomaly_score > 1, for: 10m
                                                                (detector forecastSidecarScore)

A gauge holds a row's value until the next row, as the sidecar's gauges do between steps. `for: 10m` fires
once the condition has held for more than 10 minutes without a break; `max_over_time(...[1h]) > T` fires
at the first row above T and stays firing until an hour after the last. One firing episode is one page
(Alertmanager sends one notification per alert that starts firing; a repeat while it fires is not a new
page). A page whose firing starts inside one of NAB's anomaly windows counts as a detection of that
window; any other page is a false alarm. Normal time is the time outside every window after NAB's
probationary period (the first 15 % of a file's rows, at most 750), when the sidecar is still warming up.

    /usr/bin/python3 bench/nab-alert-rates.py NAB/labels/combined_windows.json RESULTS
    /usr/bin/python3 bench/nab-alert-rates.py NAB/labels/combined_windows.json RESULTS --grid

With --grid it rates variants of both rules (other thresholds, other `for:` durations), chooses the one
that pages the most labelled windows within a budget of false pages (BUDGET below) on every category
but realKnownCause, and reports the choice on realKnownCause, whose files no setting was chosen on.

Without --grid it rates the shipped rules as they are, and the rule they replaced. It reads every results
file under RESULTS; a file the windows file doesn't name has no windows, so on unlabelled series (written
with `--nab-windows` naming an empty JSON object, `{}`) every page counts as false: an upper bound.
"""
import csv
import json
import os
import sys
from datetime import datetime, timedelta

RULES = [
    # (rule, detector whose results hold the gauge, how it fires, threshold)
    ("MetricAnomalous: max_over_time(anomaly_novelty[1h]) > 7", "forecastSidecar", ("hold", timedelta(hours=1)), 7),
    ("MetricNovelBehaviour: max_over_time(anomaly_novelty[1h]) > 1", "forecastSidecar", ("hold", timedelta(hours=1)), 1),
    ("before 2026-12-04, MetricAnomalous: anomaly_score > 1 for 10m", "forecastSidecarScore", ("for", timedelta(minutes=10)), 1),
]
def stored(threshold):
    """The stored value of a score threshold: s > t exactly when s / (1 + s) > t / (1 + t)."""
    return threshold / (1 + threshold)
WEEK = timedelta(days=7)


def parse_time(text):
    return datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")


def read_rows(path):
    with open(path) as f:
        return [(parse_time(r["timestamp"]), float(r["anomaly_score"] or 0)) for r in csv.DictReader(f)]


def firing_starts(rows, how, threshold=1.0):
    """The times at which the rule starts firing, each the start of one page."""
    kind, span = how
    starts = []
    above = [score > stored(threshold) for _, score in rows]
    if kind == "for":
        i = 0
        while i < len(rows):
            if not above[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(rows) and above[j + 1]:
                j += 1
            # The gauge holds row j's value until row j + 1 arrives (or one step, at the end).
            held_until = rows[j + 1][0] if j + 1 < len(rows) else rows[j][0] + (rows[j][0] - rows[j - 1][0] if j > 0 else span)
            if held_until - rows[i][0] > span:
                starts.append(rows[i][0] + span)
            i = j + 1
    else:
        firing_until = None
        for time, _ in [r for r, a in zip(rows, above) if a]:
            if firing_until is None or time > firing_until:
                starts.append(time)
            firing_until = time + span
    return starts


def rates(windows, results, detector, how, threshold=1.0):
    """Per category: [false pages, normal time, windows paged, windows, files]."""
    by_category = {}
    for category, name in result_files(results, detector):
        limits = windows.get(f"{category}/{name}", [])
        rows = read_rows(os.path.join(results, detector, category, f"{detector}_{name}"))
        probation = min(int(0.15 * len(rows)), 750)
        begin = rows[probation][0]
        inside = lambda t: any(a <= t <= b for a, b in limits)
        normal = timedelta()
        for (t, _), (nxt, _) in zip(rows[probation:], rows[probation + 1:]):
            if not inside(t):
                normal += nxt - t
        pages = [t for t in firing_starts(rows, how, threshold) if t >= begin]
        c = by_category.setdefault(category, [0, timedelta(), 0, 0, 0])
        c[0] += sum(1 for t in pages if not inside(t))
        c[1] += normal
        c[2] += sum(1 for a, b in limits if any(a <= t <= b for t in pages))
        c[3] += len(limits)
        c[4] += 1
    return by_category


def result_files(results, detector):
    """(category, data file name) of every results file of the detector; files without windows have none."""
    root = os.path.join(results, detector)
    for category in sorted(os.listdir(root)):
        for file in sorted(os.listdir(os.path.join(root, category))):
            if file.startswith(detector + "_") and file.endswith(".csv"):
                yield category, file[len(detector) + 1:]


def summed(by_category, categories):
    total = [0, timedelta(), 0, 0, 0]
    for category in categories:
        total = [x + y for x, y in zip(total, by_category.get(category, [0, timedelta(), 0, 0, 0]))]
    return total


HELD_OUT = "realKnownCause"
BUDGET = 0.25  # false pages per series-week a warning may cost: about one a month per watched series


def print_grid(windows, results):
    """Rule variants: chosen on every category but realKnownCause, reported on realKnownCause."""
    variants = [("anomaly_score", "forecastSidecarScore", ("for", timedelta(minutes=m)), t)
                for t in (1, 2, 3, 5, 10) for m in (10, 30, 60, 120)]
    variants += [("anomaly_novelty", "forecastSidecar", ("hold", timedelta(hours=1)), t) for t in (1, 1.5, 2, 3, 5, 7, 10, 15, 20)]
    print(f"{'rule':52} {'dev false/series-week':>21} {'dev windows paged':>17} {HELD_OUT + ' false':>20} {'paged':>9}")
    best = None
    for gauge, detector, how, threshold in variants:
        by_category = rates(windows, results, detector, how, threshold)
        dev = summed(by_category, [c for c in by_category if c != HELD_OUT])
        held = summed(by_category, [HELD_OUT])
        kind, span = how
        rule = (f"{gauge} > {threshold:g} for {int(span.total_seconds() // 60)}m" if kind == "for"
                else f"max_over_time({gauge}[{int(span.total_seconds() // 3600)}h]) > {threshold:g}")
        dev_rate, held_rate = dev[0] / (dev[1] / WEEK), held[0] / (held[1] / WEEK)
        print(f"{rule:52} {dev_rate:21.3f} {dev[2]:8d} of {dev[3]:3d}   {held_rate:20.3f} {held[2]:3d} of {held[3]:2d}")
        if dev_rate <= BUDGET and (best is None or dev[2] > best[1]):
            best = (rule, dev[2], held_rate, held[2], held[3])
    if best:
        print(f"chosen on the development categories (most windows paged within {BUDGET} false pages per series-week): "
              f"{best[0]}; on {HELD_OUT}: {best[2]:.3f} false pages per series-week, {best[3]} of {best[4]} windows paged")


def main(windows_path, results, grid=False):
    with open(windows_path) as f:
        windows = {k: [(parse_time(a), parse_time(b)) for a, b in v] for k, v in json.load(f).items()}
    if grid:
        return print_grid(windows, results)
    for rule, detector, how, threshold in RULES:
        by_category = rates(windows, results, detector, how, threshold)
        print(f"== {rule}")
        print(f"{'category':24} {'files':>5} {'normal weeks':>12} {'false pages':>11} {'per series-week':>15} {'windows paged':>13}")
        for category in sorted(by_category) + ["all"]:
            fp, normal, found, count, files = summed(by_category, sorted(by_category) if category == "all" else [category])
            weeks = normal / WEEK
            print(f"{category:24} {files:5d} {weeks:12.1f} {fp:11d} {fp / weeks:15.2f} {found:6d} of {count:3d}")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--grid"):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], len(sys.argv) == 4)
