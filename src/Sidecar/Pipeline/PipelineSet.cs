namespace Sidecar.Pipeline;

/// <summary>
/// The target pipelines in use. A config reload replaces the list as a whole, so a reader takes
/// <see cref="Current"/> once per pass and sees one consistent set.
/// </summary>
internal sealed class PipelineSet(IReadOnlyList<TargetPipeline> initial)
{
    private IReadOnlyList<TargetPipeline> _current = initial;

    public IReadOnlyList<TargetPipeline> Current => Volatile.Read(ref _current);

    public TargetPipeline? Find(string target) => Current.FirstOrDefault(p => p.Settings.Name == target);
}
