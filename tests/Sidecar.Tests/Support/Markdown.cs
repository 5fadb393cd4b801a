using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sidecar.Tests.Support;

/// <summary>
/// Just enough of GitHub's markdown to check links: the anchors its headings get and the links a page
/// holds. Fenced code is skipped, because a shell comment such as <c># run:</c> in a code block is not a
/// heading and <c>[x](y)</c> in code is not a link.
/// </summary>
internal static partial class Markdown
{
    /// <summary>
    /// The anchor GitHub gives a heading: the rendered text lowercased, every character that is not a
    /// letter, mark, number, space, '-' or connector ('_') dropped, spaces turned into '-'.
    /// </summary>
    public static string Slug(string heading)
    {
        // What GitHub slugs is the rendered text: link targets, code ticks and emphasis don't show.
        string text = LinkPattern().Replace(heading, "$1");
        var slug = new StringBuilder(text.Length);
        foreach (char c in text.Trim().ToLowerInvariant())
        {
            if (c == '-' || Kept(char.GetUnicodeCategory(c)))
                slug.Append(c);
            else if (c == ' ')
                slug.Append('-');
        }
        return slug.ToString();
    }

    private static bool Kept(UnicodeCategory category) => category is
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
        or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
        or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
        or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
        or UnicodeCategory.ConnectorPunctuation;

    /// <summary>Every anchor of the page's headings; a repeated heading gets -1, -2, ... as on GitHub.</summary>
    public static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (line, _) in OutsideCode(markdown))
        {
            var heading = HeadingPattern().Match(line);
            if (!heading.Success)
                continue;
            string slug = Slug(heading.Groups[1].Value);
            int count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }
        return anchors;
    }

    /// <summary>The target of every inline link and image outside code, with its 1-based line.</summary>
    public static IEnumerable<(string Target, int Line)> Links(string markdown)
    {
        foreach (var (line, number) in OutsideCode(markdown))
        {
            string text = CodeSpanPattern().Replace(line, "");
            foreach (Match link in LinkPattern().Matches(text))
                yield return (link.Groups[2].Value, number);
        }
    }

    private static IEnumerable<(string Line, int Number)> OutsideCode(string markdown)
    {
        bool inFence = false;
        string[] lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (FencePattern().IsMatch(line))
            {
                inFence = !inFence;
                continue;
            }
            if (!inFence)
                yield return (line, i + 1);
        }
    }

    [GeneratedRegex(@"^\s{0,3}(?:```|~~~)")]
    private static partial Regex FencePattern();

    [GeneratedRegex(@"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpanPattern();

    // [text](target) and ![alt](target), with an optional "title"; the text may hold `code`.
    [GeneratedRegex(@"!?\[((?:[^\[\]]|`[^`]*`)*)\]\(\s*<?([^()\s>]+)>?(?:\s+""[^""]*"")?\s*\)")]
    private static partial Regex LinkPattern();
}
