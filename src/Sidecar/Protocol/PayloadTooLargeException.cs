namespace Sidecar.Protocol;

/// <summary>A body or its decoded form is over a configured limit (HTTP 413).</summary>
internal sealed class PayloadTooLargeException(string message) : Exception(message);
