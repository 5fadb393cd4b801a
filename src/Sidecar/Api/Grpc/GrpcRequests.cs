using Grpc.Core;
using Sidecar.Store;

namespace Sidecar.Api.Grpc;

/// <summary>Checks what a gRPC request asks for, turning bad input into the status codes clients expect.</summary>
internal static class GrpcRequests
{
    /// <summary>Series per call when the request leaves <c>limit</c> at 0.</summary>
    public const int DefaultLimit = 100;

    /// <summary>The parsed selector, null for ""; InvalidArgument with the parser's message otherwise.</summary>
    public static Selector? Selector(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        try
        {
            return SelectorParser.Parse(text);
        }
        catch (FormatException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"selector: {e.Message}"));
        }
    }

    /// <summary>The targets a request covers: the named one (NotFound when unknown), or all for "".</summary>
    public static IReadOnlyList<TargetView> Targets(SidecarQueries queries, string target)
    {
        if (string.IsNullOrEmpty(target))
            return queries.Targets();
        return queries.Target(target) is { } view ? [view] : throw UnknownTarget(target);
    }

    public static RpcException UnknownTarget(string target) =>
        new(new Status(StatusCode.NotFound, $"no target named '{target}'"));

    /// <summary>0 (unset) means the default; negatives are refused rather than guessed at.</summary>
    public static int Limit(int requested, string field, int defaultValue, int max)
    {
        if (requested < 0)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} must not be negative"));
        return requested == 0 ? defaultValue : Math.Min(requested, max);
    }

    /// <summary>Horizons must be configured on one of <paramref name="targets"/>; a typo would otherwise return nothing, silently.</summary>
    public static IReadOnlyCollection<string> Horizons(IEnumerable<string> requested, IReadOnlyList<TargetView> targets)
    {
        var wanted = requested.ToHashSet(StringComparer.Ordinal);
        var known = targets.SelectMany(t => t.Horizons).ToHashSet(StringComparer.Ordinal);
        foreach (string horizon in wanted)
        {
            if (!known.Contains(horizon))
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"horizon '{horizon}' is not configured (known: {string.Join(", ", known.Order(StringComparer.Ordinal))})"));
        }
        return wanted;
    }
}
