using System.Globalization;
using Totem.Host.Control.Api;
using Totem.Nodes.Control;
using Totem.Protocol.Store;

namespace Totem.Host.Totemd.Api;

/// <summary>
/// /v1/store/PATH, the replicated store: GET reads the local copy (a key, or with <c>?list</c> a directory's names),
/// PUT writes the body as the key's value (<c>If-Match: N</c>: only if the key is at version N; <c>If-None-Match: *</c>:
/// only if it does not exist), DELETE removes the key. A write needs quorum: without it 503 with pmxcfs's
/// "cluster not ready - no quorum?".
/// </summary>
internal static class StoreApi
{
    public static async Task<IResult> HandleAsync(INodeControl node, HttpRequest request, string path, CancellationToken ct)
    {
        switch (request.Method)
        {
            case "GET":
                return Read(await node.ReadStoreAsync(path, request.Query.ContainsKey("list"), ct).ConfigureAwait(false));
            case "PUT":
            {
                if (!TryExpected(request, out var expected, out var problem)) return problem!;
                if (request.ContentLength > StoreLimits.MaxValueBytes)
                    return ControlApi.Error(StatusCodes.Status413PayloadTooLarge,
                        string.Create(CultureInfo.InvariantCulture, $"the value of '{path}' is {request.ContentLength} bytes, the limit is {StoreLimits.MaxValueBytes}"));
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body, ct).ConfigureAwait(false);
                return Written(path, await node.WriteStoreAsync(StoreOp.Put, path, body.ToArray(), expected, ct).ConfigureAwait(false));
            }
            case "DELETE":
            {
                if (!TryExpected(request, out var expected, out var problem)) return problem!;
                return Written(path, await node.WriteStoreAsync(StoreOp.Remove, path, [], expected, ct).ConfigureAwait(false));
            }
            default:
                return ControlApi.Error(StatusCodes.Status405MethodNotAllowed, $"{request.Method} is not a store operation: use GET, PUT or DELETE on /v1/store/PATH");
        }
    }

    private static IResult Read(StoreReadResult read)
    {
        if (read.Error is { } error) return ControlApi.Error(StatusOf(error.Kind), error.Reason);
        if (read.Children is { } children)
            return ControlApi.Json(new StoreListDto(read.Path, children.Select(c => new StoreChildDto(c.Name, c.IsDirectory, c.Version, c.Size)).ToArray(),
                read.StoreVersion, read.Quorate, read.Synchronized));
        var entry = read.Entry!;
        return ControlApi.Json(new StoreEntryDto(read.Path, entry.Value.ToArray(), entry.Version, read.StoreVersion, read.Quorate, read.Synchronized));
    }

    private static IResult Written(string path, StoreWriteResult result) =>
        result.Error is { } kind
            ? ControlApi.Error(StatusOf(kind), result.Reason ?? kind.ToString())
            : ControlApi.Json(new StoreWrittenDto(path, result.KeyVersion, result.StoreVersion));

    /// <summary>The HTTP status of each refusal: the cluster's state is 503 (try again later), the request's own fault 4xx.</summary>
    public static int StatusOf(StoreErrorKind kind) => kind switch
    {
        StoreErrorKind.InvalidRequest => StatusCodes.Status400BadRequest,
        StoreErrorKind.NotFound => StatusCodes.Status404NotFound,
        StoreErrorKind.Conflict => StatusCodes.Status412PreconditionFailed,
        StoreErrorKind.IsDirectory or StoreErrorKind.NotADirectory => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    /// <summary><c>If-Match: N</c> (or <c>"N"</c>) and <c>If-None-Match: *</c> as the write's expected version (0: must not exist).</summary>
    private static bool TryExpected(HttpRequest request, out ulong? expected, out IResult? problem)
    {
        expected = null;
        problem = null;
        var ifMatch = request.Headers.IfMatch.ToString();
        var ifNoneMatch = request.Headers.IfNoneMatch.ToString();
        if (ifMatch.Length > 0 && ifNoneMatch.Length > 0)
        {
            problem = ControlApi.Error(StatusCodes.Status400BadRequest, "give If-Match or If-None-Match, not both");
            return false;
        }
        if (ifNoneMatch.Length > 0)
        {
            if (ifNoneMatch.Trim() != "*")
            {
                problem = ControlApi.Error(StatusCodes.Status400BadRequest, $"If-None-Match must be *, got \"{ifNoneMatch}\"");
                return false;
            }
            expected = 0;
            return true;
        }
        if (ifMatch.Length == 0) return true;
        if (ulong.TryParse(ifMatch.Trim().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            expected = version;
            return true;
        }
        problem = ControlApi.Error(StatusCodes.Status400BadRequest, $"If-Match must be a key version (a number), got \"{ifMatch}\"");
        return false;
    }
}
