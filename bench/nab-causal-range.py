#!/usr/bin/python3
"""How much of a NAB detector's score comes from knowing each file's future.

NAB's harness (nab/detectors/base.py) hands every detector the minimum and maximum of the whole file,
anomalies included, before the first row; HTM, contextOSE and ARTime size their value encoders or
normalisation by that range, so the value an incident will reach is known before it happens. A
Prometheus sidecar has no such range: it sees each sample once, in order. This script runs NAB's own
contextOSE detector (the best detector of NAB's scoreboard whose code runs here) twice through NAB's own
runner, as published (`contextOSE`) and with the range of the rows NAB never scores, the first
probationary 15 % of the file, in place of the whole file's (`contextOSECausal`): everything the detector
is given then lies before the first scored row. Rows beyond that range still get bins of their own (the
detector computes a bin index from the range and does not clip it).

    git clone https://github.com/numenta/NAB      # the detector and scorer; not committed
    /usr/bin/python3 bench/nab-causal-range.py NAB RESULTS [CPUS]
    /usr/bin/python3 bench/nab-loco.py NAB RESULTS contextOSE contextOSECausal

With `--asd ASD` it runs on the Application Server Dataset (bench/asd-dataset.py) instead, and the
causal variant (`contextOSETrainingRange`) is told the range of each series' 30 training days, the rows
before ASD's scoring starts, as a sidecar's backfill would know them (about 25 s per series and process):

    /usr/bin/python3 bench/nab-causal-range.py NAB RESULTS [CPUS] --asd ASD
    /usr/bin/python3 bench/asd-score.py NAB ASD RESULTS contextOSE contextOSETrainingRange=THRESHOLD

Nothing in the sidecar is chosen from it: it measures the baselines issue 17 compares with.
"""
import json
import os
import sys

ASD = sys.argv[sys.argv.index("--asd") + 1] if "--asd" in sys.argv else None
ARGS = [a for a in sys.argv[1:] if a not in ("--asd", ASD)]
if len(ARGS) < 2:
    sys.exit(__doc__)
NAB, RESULTS = ARGS[0], ARGS[1]
CPUS = int(ARGS[2]) if len(ARGS) > 2 else 2
sys.path.insert(0, NAB)

from nab.detectors.context_ose.context_ose_detector import ContextOSEDetector  # noqa: E402
from nab.runner import Runner  # noqa: E402
import pandas  # noqa: E402


class CausalContextOSEDetector(ContextOSEDetector):
    """contextOSE given only the range of the probationary rows, which NAB does not score."""

    def initialize(self):
        head = self.dataSet.data["value"].iloc[:max(1, int(self.probationaryPeriod))]
        self.inputMin, self.inputMax = float(head.min()), float(head.max())  # a flat start is the detector's own case
        super().initialize()


class TrainingRangeContextOSEDetector(ContextOSEDetector):
    """contextOSE on ASD given only the range of the series' training days, which ASD does not score."""

    def initialize(self):
        server = self.dataSet.fileName.split("_")[0]
        with open(os.path.join(ASD, "test_start.json")) as f:
            test_start = pandas.Timestamp(json.load(f)[server])
        data = self.dataSet.data
        training = data["value"][pandas.to_datetime(data["timestamp"]) < test_start]
        self.inputMin, self.inputMax = float(training.min()), float(training.max())
        super().initialize()


def main():
    if ASD:
        data, labels = os.path.join(ASD, "data"), os.path.join(ASD, "series_windows.json")
        detectors = {"contextOSE": ContextOSEDetector, "contextOSETrainingRange": TrainingRangeContextOSEDetector}
    else:
        data, labels = os.path.join(NAB, "data"), os.path.join(NAB, "labels", "combined_windows.json")
        detectors = {"contextOSE": ContextOSEDetector, "contextOSECausal": CausalContextOSEDetector}
    runner = Runner(dataDir=data, labelPath=labels, resultsDir=RESULTS, profilesPath=os.path.join(NAB, "config", "profiles.json"),
                    thresholdPath=os.path.join(NAB, "config", "thresholds.json"), numCPUs=CPUS)
    runner.initialize()
    runner.detect(detectors)


if __name__ == "__main__":
    main()
