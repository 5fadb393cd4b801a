#!/usr/bin/python3
"""ARTime, the top of NAB's scoreboard, re-implemented here so it can run where Julia can't, and told only
what a streaming detector knows.

Issue 17 compares the sidecar's anomaly_novelty with ARTime's published NAB figures (74.9 on the whole
corpus, 71.9 leaving one category out). NAB's harness tells every detector the lowest and highest value
of the whole file before its first row (docs/accuracy.md, "What the published detectors are told"), and
ARTime puts every value on a scale of that range, so the level an incident will reach is known before the
incident. A Prometheus sidecar sees each sample once, in order. This script measures what that knowledge
is worth to ARTime: run as NAB runs it, then with the range of the probationary rows only (the rows NAB
doesn't score, which every detector may learn from), then with the range of the rows seen so far.

ARTime is Julia (github.com/markNZed/ARTimeNAB.jl, AGPL-3.0, with a compact dual-vigilance fuzzy ART after
AdaptiveResonance.jl), which doesn't run here. What it does was read from that source for its facts and
is written below in its own form; no code was copied. The `nab` command checks the re-implementation
against ARTime's own results files in NAB's checkout, row by row, before it reports anything: on
2026-12-05, 56 of the 58 files identical and the other two on 99.8 % of their rows, and NAB's scores of
the two sets of files identical (74.9 whole corpus, 71.9 and every fold leaving one category out).

The algorithm, per value:
  1. Downsampling. The probationary period is NAB's (15 % of the file, at most 750 rows, made even); every
     `stride` rows (probation // 104, at least 1) the last `stride` values are reduced to one: of their
     lowest and highest, the one farther from a running mean (halved towards each new mean), unless it lies
     within 10 % of the stride's mean of that mean, in which case the mean; so a short spike survives.
  2. Levels. The reduced value is put on the range's scale and rounded to one of 81 levels (0..80); a
     running median of the levels is kept from their histogram (moved one occupied level at a time when
     more than half of the values seen lie above or below it), and a level within 0.075 of the median is
     taken as the median, so small wiggles read as "usual".
  3. Features, once 8 levels exist: the last 8, min-max scaled to [0, 1], Haar-transformed (coarsest mean,
     then details coarse to fine, each detail (later - earlier) / sqrt 2), min-max scaled again, followed by
     the 8 levels themselves: 16 numbers in [0, 1]; zeros before.
  4. Categories. A dual-vigilance fuzzy ART over the complement-coded features (x, 1 - x). A category's
     match is (|min(x, w)| / |w|)^3 times the square of the same ratio over the newest level's pair only
     (its "energy"). Categories are visited best match first (an undefined match first, ending the visit):
     each above the upper vigilance learns (w <- min(x, w)) and the input resonates; else the first between
     the two vigilances gets a new category in its cluster; else the input starts a new cluster: the
     anomaly candidate.
  5. Warm-up. The first `trend` = probation // stride downsampled inputs are only collected; then the
     upper and lower vigilance are set to the mean best match over the later half of a fresh ART (vigilance
     0.8) trained on them in order of their summed cosine-like similarity to the others (least typical
     first), and the collected inputs are run through the detector's own ART (the first 7 without
     learning), which reports nothing during the warm-up.
  6. Reporting. A new cluster after the warm-up reports unless masked: masked for 12 inputs after a
     report, and after any new cluster or vigilance change until 12 inputs have passed without a new
     cluster; a masked candidate still reports if its best match is below 0.9 (within 12 inputs of the last
     report) or 0.7 (later) of the last report's. The report is confidence in [0, 1] (round 6): 0.35 and
     0.65 of how far the best match lies below the upper and the lower vigilance, relative to 1 - match
     (match capped at 0.999), plus 1.5 times (1 - the best category's energy), capped at 1.
  7. Vigilance. Every trend // 2 inputs, and 12 inputs after a report: upper = the mean of every best
     match so far (at most 0.97); the lower moves 0.19 of the way up to the lowest best match of the last
     trend // 2 + 1 inputs when that lies above it, else down by half the mean of the last trend + 1
     shortfalls (upper - match) above 0.05, each capped at 0.37 (only after 2 × trend inputs; 0.01 at
     least), but not below the mean best match of the reports so far (each the lowest of its 12 inputs);
     never above the upper.

Rows between downsampled inputs score 0. "probation" takes the range of the rows seen until the probation
ends and keeps it; "running" the range of the rows seen so far; either can put a level outside 0..80,
which is clamped (it can't happen with the whole file's range).

    /usr/bin/python3 bench/artime-causal.py nab NAB RESULTS          # writes RESULTS/ARTime{Reimplemented,ProbationRange,RunningRange}
    /usr/bin/python3 bench/nab-loco.py NAB RESULTS ARTimeReimplemented ARTimeProbationRange ARTimeRunningRange
    /usr/bin/python3 bench/artime-causal.py asd ASD RESULTS          # the same three on the Application Server Dataset,
                                                                     # and ARTimeTrainingRange: the range of its training days
    /usr/bin/python3 bench/asd-score.py NAB ASD RESULTS ARTimeReimplemented=0.3175 ARTimeProbationRange=T ARTimeRunningRange=T \
        ARTimeTrainingRange=T

(T: each variant's whole-corpus NAB threshold, which nab-loco.py prints. On NAB the rows before scoring
starts are the probation, so ARTimeTrainingRange, told the range of ASD's training days, the rows before
its scoring starts, takes ARTimeProbationRange's.) About 15 seconds for NAB's 58
files and 100 for ASD's 228 series, all four variants, on two cores (2026-12-05, AMD EPYC).
"""
import json
import math
import multiprocessing
import os
import sys

import numpy as np
import pandas as pd

LEVELS = 80
SNAP_TO_MEDIAN = 0.075
FEATURE_WINDOW = 8
WINDOWS_PER_PROBATION = 13
STARTING_VIGILANCE = 0.8
QUIET = int(FEATURE_WINDOW * 1.5)  # inputs a report or a new cluster masks
VARIANTS = {"ARTimeReimplemented": None, "ARTimeProbationRange": "probation", "ARTimeRunningRange": "running"}


def haar(values):
    """Full Haar transform of 2^k values: the coarsest mean, then the details, coarse to fine."""
    approximation = np.asarray(values, dtype=float)
    parts = []
    while len(approximation) > 1:
        earlier, later = approximation[0::2], approximation[1::2]
        parts.append((later - earlier) / math.sqrt(2))
        approximation = (earlier + later) / math.sqrt(2)
    return np.concatenate([approximation] + parts[::-1])


def scaled(values):
    """Min-max scaled to [0, 1]; left at 0 when all are equal."""
    shifted = values - values.min()
    top = shifted.max()
    return shifted / top if top != 0 else shifted


def likeness(a, b):
    """Cosine similarity, with 1 - |other| when one side is all zeros (as ARTime has it)."""
    norm_a, norm_b = np.linalg.norm(a), np.linalg.norm(b)
    if norm_a == 0.0 or norm_b == 0.0:
        return 1 - max(norm_a, norm_b)
    return float(a @ b / (norm_a * norm_b))


class CategoryMap:
    """The dual-vigilance fuzzy ART of step 4: complement-coded prototypes, one row each."""

    def __init__(self, width, upper=0.0, lower=0.0):
        self.newest = width - 1  # the newest level's column among the features
        self.prototypes = None
        self.clusters = []  # per prototype
        self.cluster_count = 0
        self.upper, self.lower = upper, lower
        self.best_matches, self.best_energies = [], []

    def present(self, features, learn=True):
        """Shows one input; returns its cluster, or -1 for a new cluster (and for an input not learnt)."""
        coded = np.concatenate([features, 1 - features])
        if self.prototypes is None:
            # The first input only opens an all-ones prototype; it is not learnt.
            self.prototypes = np.ones((1, len(coded)))
            self.clusters, self.cluster_count = [1], 1
            self.best_matches.append(0.0)
            self.best_energies.append(0.0)
            return 1
        overlap = np.minimum(coded, self.prototypes)
        sizes = self.prototypes.sum(axis=1)
        sizes[sizes == 0] = 0.001
        pair = [self.newest, -1]
        with np.errstate(divide="ignore", invalid="ignore"):
            energy = overlap[:, pair].sum(axis=1) / self.prototypes[:, pair].sum(axis=1)
        match = (overlap.sum(axis=1) / sizes) ** 3 * energy ** 2
        visit = sorted(range(len(match)), key=lambda k: (0, 0.0) if math.isnan(match[k]) else (1, -match[k]))
        best, best_energy, cluster, resonated, added = 0.0, 0.0, -1, False, None
        for k in visit:
            if match[k] > best:
                best, best_energy = match[k], energy[k]
            if not learn:
                continue
            if match[k] >= self.upper:
                self.prototypes[k] = overlap[k]
                if match[k] >= best:
                    cluster = self.clusters[k]
                resonated = True
            elif match[k] >= self.lower and not resonated:
                if match[k] >= best:
                    cluster = self.clusters[k]
                added = cluster
                resonated = True
                break
            else:
                break
        self.best_matches.append(best)
        self.best_energies.append(best_energy)
        if learn and not resonated:
            # Nothing matched even the lower vigilance: a new cluster, the anomaly candidate.
            self.cluster_count += 1
            added, cluster = self.cluster_count, -1
        if added is not None:
            self.clusters.append(added)
            self.prototypes = np.vstack([self.prototypes, coded])
        return cluster


class ARTime:
    """One series' detector; `range_from` is None (the range given, as NAB gives it), "probation" or "running"."""

    def __init__(self, lowest, highest, length, range_from=None):
        probation = math.floor(0.15 * length) if length < 5000 else 750
        self.probation = probation - probation % 2
        self.stride = max(1, self.probation // (FEATURE_WINDOW * WINDOWS_PER_PROBATION))
        self.trend = self.probation // self.stride
        self.lowest, self.highest, self.range_from = lowest, highest, range_from
        self.seen_low, self.seen_high = math.inf, -math.inf
        self.rows = 0
        self.recent = [0.0] * self.stride
        self.smoothed_mean = 0.0
        self.histogram = [0] * (LEVELS + 1)
        self.median, self.below, self.above = 0, 0, 0
        self.levels = [0.0] * FEATURE_WINDOW
        self.inputs = 0
        self.collected = []
        self.categories = CategoryMap(2 * FEATURE_WINDOW)
        self.last_report, self.last_report_match, self.last_vigilance_change = 0, 0.0, 0
        self.masked_by_new_cluster = False
        self.since_new_cluster = 0
        self.report_matches = []
        self.matches_seen, self.mean_match = 0, 0.0
        self.recent_matches = [1.0] * (self.trend // 2 + 1)
        self.shortfalls = [0.0] * (self.trend + 1)

    def observe(self, value):
        self.rows += 1
        self.seen_low, self.seen_high = min(self.seen_low, value), max(self.seen_high, value)
        if self.range_from == "running" or self.range_from == "probation" and self.rows <= self.probation:
            self.lowest, self.highest = self.seen_low, self.seen_high
        self.recent = self.recent[1:] + [value]
        if self.rows % self.stride:
            return 0.0
        self.inputs += 1
        level = self.level_of(self.reduced())
        self.levels = self.levels[1:] + [level]
        if self.inputs >= FEATURE_WINDOW:
            shape = np.array(self.levels)
            features = np.concatenate([scaled(haar(scaled(shape))), shape])
        else:
            features = np.zeros(2 * FEATURE_WINDOW)
        if self.inputs < self.trend:
            self.collected.append(features)
            return 0.0
        if self.inputs == self.trend:
            self.collected.append(features)
            self.warm_up()
            return 0.0
        return self.step(features, self.inputs)

    def reduced(self):
        """Step 1: the stride's values as one, keeping a spike."""
        mean = sum(self.recent) / len(self.recent)
        self.smoothed_mean = (mean if self.inputs == 1 else self.smoothed_mean) / 2 + mean / 2
        low, high = min(self.recent), max(self.recent)
        extreme = low if abs(low - self.smoothed_mean) > abs(high - self.smoothed_mean) else high
        return mean if abs(extreme - mean) < 0.1 * mean else extreme

    def level_of(self, value):
        """Step 2: the value's level on the range, snapped to the running median when close to it."""
        span = self.highest - self.lowest
        position = (value - self.lowest) / span if span != 0 else value - self.lowest
        level = min(max(round(position * LEVELS), 0), LEVELS)
        self.histogram[level] += 1
        if self.inputs == 1:
            self.median = level
        if level < self.median:
            self.below += 1
        elif level > self.median:
            self.above += 1
        half = self.inputs // 2
        if self.above > half:
            self.below += self.histogram[self.median]
            self.median = self.next_occupied(self.median, +1)
            self.above -= self.histogram[self.median]
        elif self.below > half:
            self.above += self.histogram[self.median]
            self.median = self.next_occupied(self.median, -1)
            self.below -= self.histogram[self.median]
        median = self.median / LEVELS
        return median if abs(level / LEVELS - median) < SNAP_TO_MEDIAN else level / LEVELS

    def next_occupied(self, level, direction):
        level += direction
        while self.histogram[level] == 0:
            level += direction
        return level

    def warm_up(self):
        """Step 5: the starting vigilance from the collected inputs, then the inputs through the detector."""
        usable = self.collected[FEATURE_WINDOW - 1:]
        similarity = np.ones((len(usable), len(usable)))
        for a in range(len(usable)):
            for b in range(a):
                similarity[a, b] = similarity[b, a] = likeness(usable[a], usable[b])
        trial = CategoryMap(2 * FEATURE_WINDOW, STARTING_VIGILANCE, STARTING_VIGILANCE)
        for k in np.argsort(similarity.sum(axis=0), kind="stable"):
            trial.present(usable[k])
        vigilance = float(np.mean(trial.best_matches[self.trend // 2 - 1:]))
        self.categories.upper = self.categories.lower = vigilance
        for index, features in enumerate(self.collected, start=1):
            self.step(features, index)

    def step(self, features, index):
        """Steps 4, 6 and 7 for one downsampled input; returns its report (0 when none)."""
        categories = self.categories
        since_report = index - self.last_report
        if index > self.trend + QUIET and self.masked_by_new_cluster and self.since_new_cluster >= QUIET:
            self.masked_by_new_cluster = False
        cluster = categories.present(features, learn=index >= FEATURE_WINDOW)
        if index < FEATURE_WINDOW:
            cluster = -1
        self.since_new_cluster = 0 if cluster == -1 else self.since_new_cluster + 1
        match, energy = categories.best_matches[-1], categories.best_energies[-1]
        # A running mean updated as OnlineStats' Mean is (m += (x - m) / n, the weight taken first), for
        # ARTime's rounding: the upper vigilance is this mean.
        self.matches_seen += 1
        self.mean_match += (1 / self.matches_seen) * (match - self.mean_match)
        self.recent_matches = self.recent_matches[1:] + [match]
        self.shortfalls = self.shortfalls[1:] + [categories.upper - match]
        if since_report < QUIET and self.report_matches and match < self.report_matches[-1]:
            self.report_matches[-1] = match
        masked = self.masked_by_new_cluster or since_report <= QUIET
        far_below_last = match < self.last_report_match * (0.90 if since_report <= QUIET else 0.70)
        report = 0.0
        if index > self.trend and cluster == -1 and (not masked or far_below_last):
            report = self.confidence(match, energy)
            self.report_matches.append(match)
            self.last_report_match, self.last_report = match, index
        self.masked_by_new_cluster = self.masked_by_new_cluster or cluster == -1
        if index > self.trend and (since_report == QUIET or index - self.last_vigilance_change >= self.trend // 2):
            self.adapt_vigilance(index)
        return report

    def adapt_vigilance(self, index):
        """Step 7."""
        categories = self.categories
        upper = min(0.97, self.mean_match)
        lowest_recent = min(self.recent_matches)
        if categories.lower <= lowest_recent:
            lower = categories.lower + 0.19 * (lowest_recent - categories.lower)
        else:
            shortfalls = [min(0.37, s) for s in self.shortfalls if s > 0.05] if index > 2 * self.trend else []
            lower = categories.lower - max(0.01, float(np.mean(shortfalls)) if shortfalls else 0.0) / 2
            if self.report_matches:
                lower = max(float(np.mean(self.report_matches)), lower)
        categories.lower, categories.upper = min(upper, lower), upper
        self.last_vigilance_change = index
        self.masked_by_new_cluster = True

    def confidence(self, match, energy):
        match = min(0.999, match)
        # Written as ARTime has it, (1 - match) - (1 - vigilance), which rounds differently from vigilance - match.
        below_upper = ((1 - match) - (1 - self.categories.upper)) / (1 - match)
        below_lower = ((1 - match) - (1 - self.categories.lower)) / (1 - match)
        return round(min(1.0, 0.35 * below_upper + 0.65 * below_lower + 1.5 * (1.0 - energy)), 6)


def scores(values, range_from, given=None):
    """One series' reports; `given` (lowest, highest) replaces the whole series' range that NAB gives."""
    values = np.asarray(values, dtype=float)
    lowest, highest = given if given is not None else (float(values.min()), float(values.max()))
    detector = ARTime(lowest, highest, len(values), range_from)
    return np.array([detector.observe(float(v)) for v in values])


def nab_file(job):
    nab, results, name = job
    category, file = name.split("/")
    frame = pd.read_csv(os.path.join(nab, "data", name))
    published = pd.read_csv(os.path.join(nab, "results", "ARTime", category, f"ARTime_{file}"))
    same = None
    for detector, range_from in VARIANTS.items():
        score = scores(frame.value, range_from)
        if range_from is None:
            same = float(np.mean(np.isclose(score, published.anomaly_score.to_numpy(), atol=1e-6)))
        os.makedirs(os.path.join(results, detector, category), exist_ok=True)
        out = frame.assign(anomaly_score=score, label=published.label)
        out.to_csv(os.path.join(results, detector, category, f"{detector}_{file}"), index=False)
    return name, same


def asd_file(job):
    asd, results, server, file, test_start = job
    frame = pd.read_csv(os.path.join(asd, "data", server, file))
    # ASD scores only its test days; the 30 training days before them are every detector's history, as a
    # sidecar's backfill would be. Their range is what a detector may know before the first scored row.
    training = frame.value[pd.to_datetime(frame.timestamp) < pd.Timestamp(test_start)]
    runs = {detector: (range_from, None) for detector, range_from in VARIANTS.items()}
    runs["ARTimeTrainingRange"] = (None, (float(training.min()), float(training.max())))
    for detector, (range_from, given) in runs.items():
        os.makedirs(os.path.join(results, detector, server), exist_ok=True)
        score = scores(frame.value, range_from, given)
        frame.assign(anomaly_score=score, label=0).to_csv(os.path.join(results, detector, server, f"{detector}_{file}"), index=False)
    return file


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("nab", "asd"):
        sys.exit(__doc__)
    command, source, results = sys.argv[1:]
    with multiprocessing.Pool(2) as pool:
        if command == "nab":
            with open(os.path.join(source, "labels", "combined_windows.json")) as f:
                names = sorted(json.load(f))
            checks = pool.map(nab_file, [(source, results, name) for name in names])
            identical = [name for name, same in checks if same == 1.0]
            print(f"{len(identical)} of {len(checks)} files identical, row by row, to ARTime's published results")
            for name, same in checks:
                if same != 1.0:
                    print(f"  {name}: {100 * same:.1f} % of rows identical")
        else:
            with open(os.path.join(source, "test_start.json")) as f:
                test_start = json.load(f)
            jobs = [(source, results, server, file, test_start[server]) for server in sorted(os.listdir(os.path.join(source, "data")))
                    for file in sorted(os.listdir(os.path.join(source, "data", server)))]
            print(f"{len(pool.map(asd_file, jobs))} series")


if __name__ == "__main__":
    main()
