using Sidecar.Tests.Support;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// The README is a landing page whose detail lives in docs/, one topic a file, linked both ways and to the
/// repository's files. Text moves between those pages, so every relative link (and every anchor into a
/// markdown page) must still land somewhere.
/// </summary>
public sealed class MarkdownLinkTests
{
    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string> { "README.md" };
        foreach (string page in Directory.GetFiles(RepositoryRoot.File("docs"), "*.md").Order(StringComparer.Ordinal))
            pages.Add("docs/" + Path.GetFileName(page));
        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryRelativeLinkResolves(string page)
    {
        string path = RepositoryRoot.File(page.Split('/'));
        string directory = Path.GetDirectoryName(path)!;
        string text = File.ReadAllText(path);
        var problems = new List<string>();
        foreach (var (target, line) in Markdown.Links(text))
        {
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                continue;
            int hash = target.IndexOf('#');
            string file = hash < 0 ? target : target[..hash];
            string? anchor = hash < 0 ? null : target[(hash + 1)..];
            string resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(directory, file));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                problems.Add($"{page}:{line}: {target}: no such file");
                continue;
            }
            if (anchor is not null && resolved.EndsWith(".md", StringComparison.Ordinal)
                && !Markdown.Anchors(File.ReadAllText(resolved)).Contains(anchor))
            {
                problems.Add($"{page}:{line}: {target}: no heading with the anchor #{anchor}");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void LinksInCodeAreNotLinksAndImagesAre()
    {
        var links = Markdown.Links("see [a](a.md#x) and ![shot](web-ui.png)\n```\n[b](b.md)\n```\n`[c](c.md)`\n").ToList();
        Assert.Equal([("a.md#x", 1), ("web-ui.png", 1)], links);
    }
}
