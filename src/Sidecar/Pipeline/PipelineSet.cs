namespace Sidecar.Pipeline;

/// <summary>
/// The pipelines in use, one per configured target. A reload replaces the whole list at once, so a
/// reader that takes <see cref="Current"/> once per pass sees one consistent config: never a mix of
/// old and new targets.
/// </summary>
internal sealed class PipelineSet(IReadOnlyList<TargetPipeline> initial)
{
    private IReadOnlyList<TargetPipeline> _current = initial;

    public IReadOnlyList<TargetPipeline> Current => Volatile.Read(ref _current);

    public TargetPipeline? Find(string target) => Current.FirstOrDefault(p => p.Settings.Name == target);

    /// <summary>Makes <paramref name="next"/> current; called only by the reload, one at a time.</summary>
    public void Replace(IReadOnlyList<TargetPipeline> next) => Volatile.Write(ref _current, next);
}
