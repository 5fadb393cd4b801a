namespace Sidecar.Security;

/// <summary>
/// A password or token, written in the config or kept in a file. Its ToString never shows the value, so
/// settings that hold one can be logged or compared as records without leaking it.
/// </summary>
internal sealed class Secret
{
    private readonly string? _value;

    private Secret(string? value, string? file)
    {
        _value = value;
        File = file;
    }

    /// <summary>The file read for each use; null for a value written in the config.</summary>
    public string? File { get; }

    public static Secret Inline(string value) => new(value, null);

    public static Secret InFile(string path) => new(null, path);

    /// <summary>The current value; a file is read each time, so rotating it takes effect at the next request.</summary>
    /// <param name="key">The config key, for an error message that says which file could not be read.</param>
    /// <exception cref="HttpRequestException">The file can't be read; the message names the key and path, never a secret.</exception>
    public async ValueTask<string> ReadAsync(string key, CancellationToken cancellation)
    {
        if (File is null)
            return _value!;
        try
        {
            return (await System.IO.File.ReadAllTextAsync(File, cancellation)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HttpRequestException($"{key}: cannot read {File}: {e.Message}");
        }
    }

    public override string ToString() => File is null ? "<secret>" : $"<secret in {File}>";
}
