namespace Sidecar.Host;

/// <summary>Gathers configuration errors, so one bad part of a config doesn't hide the next.</summary>
internal static class ConfigErrors
{
    /// <summary>What <paramref name="load"/> returns, or null with its <see cref="ConfigException"/> message added to <paramref name="errors"/>.</summary>
    public static T? Collect<T>(List<string> errors, Func<T> load) where T : class
    {
        try
        {
            return load();
        }
        catch (ConfigException e)
        {
            errors.Add(e.Message);
            return null;
        }
    }
}
