#!/usr/bin/python3
"""Novelty's replica (bench/nab-novelty-variants.py) over the rows of a `backtest --output-dir` run on the
Application Server Dataset, written in NAB's results layout for bench/asd-score.py.

A candidate change to novelty that wins the nested NAB protocol (bench/nab-nested-loco.py) must also hold
on ASD, which no setting was chosen on, before it goes into the sidecar. Rebuilding the sidecar and
replaying ASD takes half an hour; this takes a minute from one replay's rows. On ASD's regular 5-minute
steps the replica gives the sidecar's own figures exactly (checked on 2026-12-05: 52.7 per server, 33.6
per series, the same incidents found), so it answers for the sidecar. Use it once per idea: each look is
a choice made on ASD, and the set stays worth something only while few are.

    dotnet run -c Release --project src/Sidecar -- backtest --jobs 2 --together --output-dir ROWS \\
        --nab-results RESULTS --nab-windows ASD/series_windows.json ASD/data/omi-*
    /usr/bin/python3 bench/asd-novelty-replica.py ROWS RESULTS NAME [--smoothed-surprise | --tail-surprise]
    /usr/bin/python3 bench/asd-score.py NAB ASD RESULTS forecastSidecar=0.5187 NAME=THRESHOLD

NAME's settings are the sidecar's defaults; the flags change the surprise view as bench/nab-nested-loco.py's
do. THRESHOLD is the candidate's whole-corpus threshold on NAB, which nab-nested-loco.py prints.
"""
import importlib.util
import os
import sys

import pandas as pd

if len(sys.argv) < 4:
    sys.exit(__doc__)
_spec = importlib.util.spec_from_file_location("replica", os.path.join(os.path.dirname(os.path.abspath(__file__)), "nab-novelty-variants.py"))
replica = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(replica)

ROWS, RESULTS, NAME = sys.argv[1:4]
DAY = 288  # ASD's step is 5 minutes


def main():
    sidecar = os.path.join(RESULTS, "forecastSidecar")  # the same run's results: their timestamps and labels
    for server in sorted(os.listdir(sidecar)):
        for results_file in sorted(os.listdir(os.path.join(sidecar, server))):
            file = results_file[len("forecastSidecar_"):]
            frame = pd.read_csv(os.path.join(sidecar, server, results_file))
            rows = pd.read_csv(os.path.join(ROWS, file))
            if len(rows) != len(frame):
                sys.exit(f"{file}: {len(rows)} rows against {len(frame)} results")
            settings = dict(replica.SIDECAR)
            if "--tail-surprise" in sys.argv:
                surprise = replica.tail_surprise(rows.anomaly_score.to_numpy(dtype=float), DAY)
            else:
                surprise = rows.anomaly_surprise.to_numpy(dtype=float)
            if "--smoothed-surprise" in sys.argv:
                settings["surprise_smoothing"] = settings["smoothing"]
            score = replica.novelty(rows.value.to_numpy(dtype=float), surprise, DAY, **settings)[0]
            os.makedirs(os.path.join(RESULTS, NAME, server), exist_ok=True)
            frame.assign(anomaly_score=score).to_csv(os.path.join(RESULTS, NAME, server, f"{NAME}_{file}"), index=False)


if __name__ == "__main__":
    main()
