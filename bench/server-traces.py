#!/usr/bin/python3
"""Builds the forecast evaluation sets from public server traces, as CSV files `backtest` reads.

The data is not committed (each source keeps its own licence); this script rebuilds the same files from
checkouts of the public repositories that hold it:

    apt-get install python3-rdata python3-numpy
    git clone https://github.com/carlonlv/DataCenterSim            # Azure Public Dataset V1, 100 VMs (CC BY 4.0)
    git clone https://github.com/alejandrofdez-us/DataCenter-Traces-Datasets   # Google 2019, Azure V2 aggregates
    git clone https://github.com/numenta/NAB                        # realKnownCause, realAWSCloudwatch
    /usr/bin/python3 bench/server-traces.py DataCenterSim DataCenter-Traces-Datasets NAB/data OUT

OUT/dev holds the series that settings may be chosen on; OUT/eval the ones results are reported on;
OUT/fresh a second held-out set, added on 2026-12-05 because OUT/eval had by then been reported on five
times: it is for confirming the shipped build once, not for comparing variants. Each split is fixed
here, before any result on it was seen, and no setting may be chosen on OUT/eval or OUT/fresh:

  dev:  NAB realAWSCloudwatch (17 files; the current defaults were chosen on them) and Azure V1 VMs
        51-100 (in the order the data set lists them).
  eval: Azure V1 VMs 1-30 (mean CPU per 5 minutes, 28 days each); the Google 2019 cluster's mean CPU,
        memory, assigned memory and cycles per instruction (28 days); Azure V2's total CPU and assigned
        memory (30 days); NAB realKnownCause's two server series with at least 10 days
        (ec2_request_latency_system_failure, cpu_utilization_asg_misconfiguration).
  fresh: Azure V1 VMs 31-50 of the same 100 (mean CPU, 28 days; in no other part), and the 77 distinct
        VMs of DataCenterSim's periodic_avg_78 (Azure V1 VMs its authors picked for a 1h, 8h or 24h
        period, mean CPU, 29 days; none of them is among the 100; the one VM listed twice is kept once,
        at its first listing).

The Azure V1 and Google files have no timestamps: rows are consecutive 5-minute steps, given timestamps
from an arbitrary midnight (2020-01-06 00:00 UTC, a Monday). Alibaba 2018's 8 days are left out: the
issue's rule is at least 10 days per series.
"""
import os
import shutil
import sys
from datetime import datetime, timedelta, timezone

import numpy as np
import rdata

STEP = timedelta(minutes=5)
START = datetime(2020, 1, 6, tzinfo=timezone.utc)


def write(path, values, timestamps=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("timestamp,value\n")
        for i, v in enumerate(values):
            t = timestamps[i] if timestamps is not None else START + i * STEP
            cell = "" if np.isnan(v) else repr(float(v))
            f.write(f"{t.strftime('%Y-%m-%d %H:%M:%S')},{cell}\n")


def columns(csv_path):
    with open(csv_path) as f:
        names = f.readline().strip().split(",")
        rows = [[float(x) if x else np.nan for x in line.strip().split(",")] for line in f if line.strip()]
    return names, np.array(rows)


def azure_v1(repo, out):
    parsed = rdata.parser.parse_file(os.path.join(repo, "data", "microsoft_avg_100.rda"))
    table = rdata.conversion.convert(parsed)["microsoft_avg_100"]
    vms = [str(v) for v in table.coords["dim_1"].values]
    values = table.values
    for i, vm in enumerate(vms):
        part = "eval" if i < 30 else "dev" if i >= 50 else "fresh"
        write(os.path.join(out, part, "azure_v1", f"vm{i + 1:03d}_{vm}_avg_cpu.csv"), values[:, i])


def azure_v1_periodic(repo, out):
    parsed = rdata.parser.parse_file(os.path.join(repo, "data", "periodic_avg_78.rda"))
    table = rdata.conversion.convert(parsed)["periodic_avg_78"]
    seen = set()
    for column in table.columns:
        vm, period_hours = str(column).split()
        if vm in seen:
            continue
        seen.add(vm)
        write(os.path.join(out, "fresh", "azure_v1_periodic", f"{vm}_period{period_hours}h_avg_cpu.csv"),
              table[column].to_numpy(dtype=float))


def google_and_azure_v2(repo, out):
    names, table = columns(os.path.join(repo, "google2019", "instance_usage_grouped_300_seconds_month.csv"))
    for j, name in enumerate(names):
        write(os.path.join(out, "eval", "google2019", f"{name}.csv"), table[:, j])
    names, table = columns(os.path.join(repo, "azure_v2", "vm_cpu_readings_month_aggregated_cpu_mem.csv"))
    stamps = [START + timedelta(seconds=s) for s in table[:, 0]]
    for j, name in enumerate(names[1:], start=1):
        write(os.path.join(out, "eval", "azure_v2", f"{name}.csv"), table[:, j], stamps)


def nab(data, out):
    for name in ["ec2_request_latency_system_failure.csv", "cpu_utilization_asg_misconfiguration.csv"]:
        target = os.path.join(out, "eval", "nab_known_cause", name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy(os.path.join(data, "realKnownCause", name), target)
    aws = os.path.join(data, "realAWSCloudwatch")
    for name in sorted(os.listdir(aws)):
        target = os.path.join(out, "dev", "nab_aws", name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy(os.path.join(aws, name), target)


def main(datacentersim, traces, nab_data, out):
    azure_v1(datacentersim, out)
    azure_v1_periodic(datacentersim, out)
    google_and_azure_v2(traces, out)
    nab(nab_data, out)
    for part in ["dev", "eval", "fresh"]:
        count = sum(len(files) for _, _, files in os.walk(os.path.join(out, part)))
        print(f"{part}: {count} files in {os.path.join(out, part)}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
