namespace Sidecar.Host;

/// <summary>The valid name nearest to a mistyped one, for "did you mean" hints on flags, commands and config keys.</summary>
internal static class ClosestName
{
    /// <returns>
    /// The candidate fewest single-character edits away from <paramref name="typed"/>, or null when even that
    /// one is too far off to be a likely typo. A candidate that starts with what was typed always counts, so
    /// <c>--config</c> leads to <c>--config.file</c>.
    /// </returns>
    public static string? Find(string typed, IEnumerable<string> candidates)
    {
        // A third of the name may be wrong: enough for typos and swapped letters, too little to pair unrelated names.
        int tolerance = Math.Max(2, typed.Length / 3);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int distance = EditDistance(typed, candidate);
            bool likely = distance <= tolerance || candidate.StartsWith(typed, StringComparison.Ordinal);
            if (likely && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions of one character each cost 1.</summary>
    public static int EditDistance(string a, string b)
    {
        // Two rows of the usual table: previous[j] is the distance from a[..(i-1)] to b[..j], current[j] from a[..i].
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
