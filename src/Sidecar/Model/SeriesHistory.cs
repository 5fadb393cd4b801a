namespace Sidecar.Model;

/// <summary>
/// One series' history as a training run sees it: raw values oldest first (NaN for gaps), where the fit
/// window starts, where the chronological split falls, and the scaler fitted on the training part.
/// Values before <see cref="FitStart"/> are only there for seasonal lags and as warm-up context.
/// </summary>
internal sealed class SeriesHistory
{
    public SeriesHistory(string key, long firstStep, float[] values, int fitStart, double validationFraction)
    {
        Key = key;
        FirstStep = firstStep;
        Values = values;
        FitStart = fitStart;
        Split = fitStart + (int)((values.Length - fitStart) * (1 - validationFraction));
        Scaler = RobustScaler.Fit(values.AsSpan(FitStart, Split - FitStart));
    }

    /// <summary>The series' label set, rendered; scalers are kept under it because ids don't survive a restart.</summary>
    public string Key { get; }

    /// <summary>The absolute step of <c>Values[0]</c>.</summary>
    public long FirstStep { get; }

    public float[] Values { get; }

    public int FitStart { get; }

    /// <summary>The first index of the validation part.</summary>
    public int Split { get; }

    public RobustScaler Scaler { get; }

    public float At(int index) => index >= 0 && index < Values.Length ? Values[index] : float.NaN;

    /// <summary>Per configured covariate, the history of the matching series, or null when it has none.</summary>
    public SeriesHistory?[] Covariates { get; set; } = [];

    /// <summary>The scaled value at absolute <paramref name="step"/>; NaN for a gap or outside the history.</summary>
    public float ScaledAtStep(long step)
    {
        long index = step - FirstStep;
        float value = index >= 0 && index < Values.Length ? Values[index] : float.NaN;
        return float.IsNaN(value) ? float.NaN : Scaler.Scale(value);
    }
}
