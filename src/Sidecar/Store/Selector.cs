namespace Sidecar.Store;

/// <summary>A PromQL instant-vector selector: a series matches when every matcher does.</summary>
internal sealed class Selector(IReadOnlyList<LabelMatcher> matchers, string text)
{
    public IReadOnlyList<LabelMatcher> Matchers { get; } = matchers;

    public bool Matches(LabelSet labels)
    {
        foreach (var matcher in Matchers)
        {
            if (!matcher.Matches(labels.Get(matcher.Name)))
                return false;
        }
        return true;
    }

    public override string ToString() => text;
}
