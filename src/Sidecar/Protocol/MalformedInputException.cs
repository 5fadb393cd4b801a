using System.Diagnostics.CodeAnalysis;

namespace Sidecar.Protocol;

/// <summary>Input that can never be decoded: the sender must not retry it (HTTP 400).</summary>
internal sealed class MalformedInputException(string message) : Exception(message)
{
    /// <summary>Kept out of line so that throw sites don't stop the hot readers from inlining.</summary>
    [DoesNotReturn]
    public static void Throw(string message) => throw new MalformedInputException(message);
}
