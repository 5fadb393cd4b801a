namespace Sidecar.Model;

/// <summary>
/// Supervised windows cut from the histories of a target's series. Each example is <c>window</c> scaled
/// inputs and, per head, the scaled change from the last input to the value that many steps later.
/// The split is chronological per series, with a gap as long as the longest head between the parts, and
/// each scaler is fitted on the training part alone, so nothing from the validation period leaks in.
/// </summary>
internal sealed class TrainingSet
{
    private readonly List<float> _trainInputs = [];
    private readonly List<float> _trainTargets = [];
    private readonly List<float> _validInputs = [];
    private readonly List<float> _validTargets = [];

    public TrainingSet(int window, IReadOnlyList<int> headSteps)
    {
        Window = window;
        HeadSteps = headSteps;
    }

    public int Window { get; }

    public IReadOnlyList<int> HeadSteps { get; }

    public Dictionary<int, MinMaxScaler> Scalers { get; } = [];

    public int TrainCount => _trainInputs.Count / Window;

    public int ValidationCount => _validInputs.Count / Window;

    public float[] TrainInputs => [.. _trainInputs];

    public float[] TrainTargets => [.. _trainTargets];

    public float[] ValidationInputs => [.. _validInputs];

    public float[] ValidationTargets => [.. _validTargets];

    /// <summary>Adds the examples of one series' history (oldest first, NaN for gaps).</summary>
    public void AddSeries(int seriesId, ReadOnlySpan<float> history, double validationFraction)
    {
        int maxHead = HeadSteps.Max();
        int span = Window + maxHead;
        if (history.Length < span)
            return;
        int trainEnd = (int)(history.Length * (1 - validationFraction));
        var scaler = MinMaxScaler.Fit(history[..trainEnd]);
        Scalers[seriesId] = scaler;

        // An example starting at s reads history[s .. s + window + maxHead - 1].
        for (int start = 0; start + span <= history.Length; start++)
        {
            bool isTrain = start + span <= trainEnd;
            bool isValidation = start >= trainEnd;
            if (!isTrain && !isValidation)
                continue;
            if (!TryAdd(history, start, scaler, isTrain ? _trainInputs : _validInputs, isTrain ? _trainTargets : _validTargets))
                continue;
        }
    }

    private bool TryAdd(ReadOnlySpan<float> history, int start, MinMaxScaler scaler, List<float> inputs, List<float> targets)
    {
        for (int i = 0; i < Window; i++)
        {
            if (float.IsNaN(history[start + i]))
                return false;
        }
        int lastInput = start + Window - 1;
        foreach (int h in HeadSteps)
        {
            if (float.IsNaN(history[lastInput + h]))
                return false;
        }
        float lastScaled = scaler.Scale(history[lastInput]);
        for (int i = 0; i < Window; i++)
            inputs.Add(scaler.Scale(history[start + i]));
        foreach (int h in HeadSteps)
            targets.Add(scaler.Scale(history[lastInput + h]) - lastScaled);
        return true;
    }
}
