using TorchSharp;

namespace Sidecar.Model;

/// <summary>
/// Scalars that live as long as the process, for tensor arithmetic that runs while other threads allocate.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 turns a .NET number into a temporary <see cref="Scalar"/> (<c>a + b</c> is
/// <c>a.add(b, 1)</c>) and passes only its native handle on. Once the handle is read nothing references the
/// temporary, so a garbage collection that another thread starts during the native call can run its
/// finalizer, which frees the native scalar while libtorch still reads it: an exception ("Expected false to
/// be true ... toFloat") or a wrong value. It showed when backtest replayed files on two threads; the
/// serving pipeline's inference runs beside ingestion and training threads too. The arithmetic on our side
/// therefore uses these scalars, which are never collected, or a <c>using</c> one that stays referenced
/// until the call returns. (Adam's own step inside TorchSharp still makes temporaries; a failure there fails
/// one training run, which is retried.)
/// </remarks>
internal static class PinnedScalars
{
    public static readonly Scalar One = 1.ToScalar();

    public static readonly Scalar MinusOne = (-1).ToScalar();
}
