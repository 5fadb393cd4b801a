namespace Sidecar.Store;

/// <summary>What a snapshot keeps of one series: its labels and its history, oldest step first.</summary>
internal sealed record SeriesSnapshot(
    LabelSet Labels,
    long FirstStep,
    long NewestStep,
    long NewestTimestampMs,
    float[] Values,
    long LastReceivedAtMs,
    bool Ended);
