namespace Sidecar.Tests.Support;

/// <summary>
/// A backtest config with a network small enough to train in a second or two, refit twice a day: what the
/// backtest tests replay their synthetic 5-minute files under.
/// </summary>
public static class SmallBacktestModel
{
    /// <summary>Writes the config into <paramref name="directory"/> and returns its path.</summary>
    /// <param name="modelKeys">More keys of the <c>model</c> section, each as <c>key: value</c>.</param>
    public static string Write(string directory, string name = "model.yml", params string[] modelKeys)
    {
        string path = Path.Combine(directory, name);
        string extra = string.Concat(modelKeys.Select(k => $"\n      {k}"));
        File.WriteAllText(path, $"""
            targets:
              - name: x
                selector: x
                model:
                  window: 8
                  hidden_size: 8
                  layers: 2
                  max_epochs: 3
                  min_history: 1d
                  fit_every: 12h
                  fit_window: 2d
                  learning_rate: 0.01
                  fallback: none
            """ + extra + "\n");
        return path;
    }
}
