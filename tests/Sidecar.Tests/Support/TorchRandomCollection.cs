namespace Sidecar.Tests.Support;

/// <summary>
/// libtorch's random generator is process-wide: a test that compares two seeded runs fails when another
/// test draws from it in between. Test classes in this collection run with nothing else in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchRandomCollection
{
    public const string Name = "libtorch random generator";
}
