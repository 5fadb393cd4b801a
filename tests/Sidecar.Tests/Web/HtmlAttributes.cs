using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Sidecar.Tests.Web;

/// <summary>Reads elements and their attributes out of the pages' HTML, so tests check values rather than layout.</summary>
internal static partial class HtmlAttributes
{
    /// <summary>The opening tags of <paramref name="tag"/> elements whose class list contains <paramref name="cssClass"/>.</summary>
    public static IReadOnlyList<Dictionary<string, string>> Elements(string html, string tag, string cssClass) =>
        [.. Regex.Matches(html, "<" + tag + "\\b([^>]*)>").Select(m => Attributes(m.Groups[1].Value))
            .Where(a => a.TryGetValue("class", out var c) && c.Split(' ').Contains(cssClass))];

    public static Dictionary<string, string> Single(string html, string tag, string cssClass) => Assert.Single(Elements(html, tag, cssClass));

    public static double Number(string value) => double.Parse(value, CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Attributes(string text) =>
        AttributePattern().Matches(text).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));

    [GeneratedRegex("([\\w-]+)=\"([^\"]*)\"")]
    private static partial Regex AttributePattern();
}
