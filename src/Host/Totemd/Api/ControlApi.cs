using System.Globalization;
using System.Text.Json;
using Totem.Host.Control;
using Totem.Host.Control.Api;
using Totem.Nodes.Control;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd.Api;

/// <summary>
/// The versioned HTTP control API over one node's facade. Every error is a 4xx/5xx with
/// {"error": "..."} naming the parameter or value at fault.
/// </summary>
public static class ControlApi
{
    public const int DefaultMessagePage = 1000;
    public const int MaxMessagePage = 10_000;

    /// <summary>How long a reload waits for every member's answer (a few token rotations normally; a member that died meanwhile never answers).</summary>
    public static readonly TimeSpan ReloadWait = TimeSpan.FromSeconds(5);

    /// <summary>The logger category of an unhandled exception, as ASP.NET Core's exception handler names it.</summary>
    public const string ErrorLogCategory = "Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware";

    private static readonly string Prefix = "/" + ControlDefaults.ApiVersion;

    /// <summary>
    /// One request: the route by path (case-insensitive, a trailing slash ignored, as endpoint routing
    /// matches) and method; a path or method no route takes gets the 404 of the fallback, except a
    /// path whose last segment looks like a file name, which the fallback route ({*path:nonfile})
    /// never took either: that is Kestrel's empty 404. An exception before the response started is a
    /// 500 with {"error": ...}, as the exception handler answered it.
    /// </summary>
    public static async Task HandleAsync(INodeControl node, HttpContext context, ILogger errors)
    {
        try
        {
            var request = context.Request;
            var route = Route(request.Path.Value);
            var ct = context.RequestAborted;
            if ((request.Method, route) is ("GET", "/events"))
            {
                await StreamEventsAsync(node, context).ConfigureAwait(false);
                return;
            }
            var result = (request.Method, route) switch
            {
                (_, "/store") => await StoreApi.HandleAsync(node, request, StorePathOf(request.Path.Value!), ct).ConfigureAwait(false),
                ("GET", "/status") => Json(node.GetStatus().ToDto()),
                ("GET", "/runtime") => Runtime(node, request),
                ("GET", "/timeouts") => Json(TimeoutsReport.ForNode(node.GetStatus().NodeId.Value, node.GetTimeouts())),
                ("POST", "/messages") => await SubmitAsync(node, request, ct).ConfigureAwait(false),
                ("GET", "/messages") => GetMessages(node, request),
                ("POST", "/quorum/expected") => await SetExpectedAsync(node, request, ct).ConfigureAwait(false),
                ("POST", "/config/reload") => Json((await node.ReloadConfigAsync(ReloadWait, ct).ConfigureAwait(false)).ToDto()),
                ("GET", "/faults") => Json(node.GetFaults().ToDto()),
                ("POST", "/faults") => await SetFaultAsync(node, request, ct).ConfigureAwait(false),
                ("DELETE", "/faults") => ClearFaults(node, request),
                ("GET", "metrics") => new MetricsResult(PrometheusText.Render(node.GetStatus(), node.GetMetrics())),
                _ => IsFileName(request.Path.Value) ? null
                    : Error(StatusCodes.Status404NotFound, $"no such endpoint: {request.Method} {request.Path}; the API is under /{ControlDefaults.ApiVersion}/"),
            };
            if (result is null) context.Response.StatusCode = StatusCodes.Status404NotFound;
            else await result.ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (the exception handler's 499, logged at debug only).
            if (!context.Response.HasStarted) context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            errors.LogError(ex, "An unhandled exception has occurred while executing the request.");
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.Headers.CacheControl = "no-cache,no-store";
            context.Response.Headers.Pragma = "no-cache";
            context.Response.Headers.Expires = "-1";
            await Error(StatusCodes.Status500InternalServerError, "internal error; see the totemd log").ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    /// <summary>The route of a path: "/status" etc. under /v1, "metrics" for /metrics, null for anything else.</summary>
    private static string? Route(string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        if (path.Length > 1 && path[^1] == '/') path = path[..^1];
        if (path.Equals("/metrics", StringComparison.OrdinalIgnoreCase)) return "metrics";
        if (!path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || path.Length <= Prefix.Length || path[Prefix.Length] != '/') return null;
        var rest = path[Prefix.Length..].ToLowerInvariant();
        if (rest == StoreRoute || rest.StartsWith(StoreRoute + "/", StringComparison.Ordinal)) return StoreRoute;
        return rest is "/status" or "/runtime" or "/timeouts" or "/messages" or "/quorum/expected" or "/config/reload" or "/events" or "/faults" ? rest : null;
    }

    private const string StoreRoute = "/store";

    /// <summary>The store path of a /v1/store/... request, as the client sent it (case kept; "/v1/store" is the root).</summary>
    private static string StorePathOf(string path)
    {
        var rest = path[(Prefix.Length + StoreRoute.Length)..];
        if (rest.Length > 1 && rest[^1] == '/') rest = rest[..^1];
        return rest.Length == 0 ? "/" : rest;
    }

    /// <summary>Routing's nonfile constraint: the last segment holds a dot followed by something other than dots.</summary>
    private static bool IsFileName(string? path)
    {
        if (string.IsNullOrEmpty(path)) return false;
        var last = path.AsSpan(path.LastIndexOf('/') + 1);
        var dot = last.IndexOf('.');
        return dot >= 0 && last[(dot + 1)..].IndexOfAnyExcept('.') >= 0;
    }

    private static IResult Runtime(INodeControl node, HttpRequest request)
    {
        var prefix = request.Query.TryGetValue("prefix", out var raw) ? raw.ToString() : null;
        return Json(new RuntimeDto(prefix, node.GetRuntime(string.IsNullOrEmpty(prefix) ? null : prefix).Select(e => e.ToDto()).ToArray()));
    }

    public static IResult Error(int status, string message) => Json(new ErrorDto(message), status);

    internal static IResult Json<T>(T value, int status = StatusCodes.Status200OK) => new JsonResult<T>(value, status);

    /// <summary>
    /// What Results.Json writes (status, "application/json; charset=utf-8", the value by its runtime
    /// type with ControlJson.Options into the body pipe), without Microsoft.AspNetCore.Http.Results and
    /// Http.Extensions, which load, and JIT, at the first answer of every node (issue 17: idle memory).
    /// </summary>
    private sealed class JsonResult<T>(T value, int status) : IResult
    {
        public const string ContentType = "application/json; charset=utf-8";

        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = ContentType;
            var info = ControlJson.Options.GetTypeInfo(value?.GetType() ?? typeof(T));
            return JsonSerializer.SerializeAsync(response.BodyWriter, value, info, httpContext.RequestAborted);
        }
    }

    /// <summary>
    /// What Results.Text writes for a content type with its charset (utf-8): that content type, the
    /// byte count as Content-Length, the text; without Http.Results and Http.Extensions (see <see cref="JsonResult{T}"/>).
    /// </summary>
    private sealed class MetricsResult(string text) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.ContentType = PrometheusText.ContentType;
            response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(text);
            return response.WriteAsync(text, System.Text.Encoding.UTF8);
        }
    }

    /// <summary>
    /// One message (the body is the payload), or, with Content-Type application/json and a JSON array for body, a
    /// batch: each element a string, one message of its UTF-8 bytes, queued all or none. The batch answers 202 with the
    /// first submission index and the count; its errors are the single form's (400 empty, 413 too large, 503 queue full)
    /// and name the element at fault.
    /// </summary>
    private static async Task<IResult> SubmitAsync(INodeControl node, HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct).ConfigureAwait(false);
        if (buffer.Length == 0)
            return Error(StatusCodes.Status400BadRequest, "empty message: the request body is the payload to multicast");
        if (IsJson(request.ContentType) && buffer.GetBuffer().AsSpan(0, (int)buffer.Length).TrimStart(" \t\r\n"u8) is [(byte)'[', ..])
            return await SubmitBatchAsync(node, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct).ConfigureAwait(false);
        var payload = buffer.ToArray();
        var result = await node.SubmitAsync(payload, ct).ConfigureAwait(false);
        return result.Accepted ? Json(new SubmitAcceptedDto(result.SubmissionIndex, payload.Length), StatusCodes.Status202Accepted) : Refused(result);
    }

    private static IResult Refused(SubmitResult result) =>
        Error(result.Refusal == SubmitRefusal.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status503ServiceUnavailable,
            result.Reason ?? $"message refused ({result.Refusal})");

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static async Task<IResult> SubmitBatchAsync(INodeControl node, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var (messages, problem) = MessageBatchBody.Parse(body.Span);
        if (problem is not null) return Error(problem.Value.Status, problem.Value.Message);
        var result = await node.SubmitBatchAsync(messages!, ct).ConfigureAwait(false);
        return result.Accepted
            ? Json(new SubmitBatchAcceptedDto(result.SubmissionIndex, messages!.Count, messages.Sum(m => (long)m.Length)), StatusCodes.Status202Accepted)
            : Refused(result);
    }

    private static IResult GetMessages(INodeControl node, HttpRequest request)
    {
        if (!TryQueryLong(request, "from", 0, 0, long.MaxValue, out var from, out var problem)) return problem!;
        if (!TryQueryLong(request, "max", DefaultMessagePage, 1, MaxMessagePage, out var max, out problem)) return problem!;
        var messages = node.GetMessages(from, (int)max);
        var next = messages.Count == 0 ? from : messages[^1].Index + 1;
        return Json(new MessagesDto(from, next, messages.Select(m => m.ToDto()).ToArray()));
    }

    private static async Task<IResult> SetExpectedAsync(INodeControl node, HttpRequest request, CancellationToken ct)
    {
        var (body, problem) = await ReadJsonAsync<ExpectedVotesRequest>(request, ct).ConfigureAwait(false);
        if (problem is not null) return problem;
        if (body!.Votes is not { } votes)
            return Error(StatusCodes.Status400BadRequest, "missing \"votes\": expected a body like {\"votes\": 3}");
        if (votes == 0)
            return Error(StatusCodes.Status400BadRequest, "\"votes\" must be at least 1");
        var result = await node.SetExpectedVotesAsync(votes, ct).ConfigureAwait(false);
        return result.Ok
            ? Json(new ExpectedVotesDto(result.ExpectedVotes, result.Quorum))
            : Error(StatusCodes.Status409Conflict, result.Reason ?? $"expected votes {votes} refused");
    }

    private static async Task<IResult> SetFaultAsync(INodeControl node, HttpRequest request, CancellationToken ct)
    {
        var (body, problem) = await ReadJsonAsync<FaultRequest>(request, ct).ConfigureAwait(false);
        if (problem is not null) return problem;
        var req = body!;
        if (req.DelayMs is null && req.JitterMs is null && req.LossPercent is null)
            return Error(StatusCodes.Status400BadRequest, "a fault needs at least one of \"delayMs\", \"jitterMs\", \"lossPercent\"");
        var current = node.GetFaults();
        NodeId? peer = req.Peer is { } p ? new NodeId(p) : null;
        if (peer is { } self && self == node.GetStatus().NodeId)
            return Error(StatusCodes.Status400BadRequest, $"\"peer\": {self} is this node; faults apply to datagrams sent to other nodes");
        if (peer is not null && req.Link is not null)
            return Error(StatusCodes.Status400BadRequest, "\"peer\" and \"link\" do not go together: a link's fault applies to every peer on the link");
        var basis = req.Link is { } onLink ? current.ForLink(onLink) : peer is { } id ? current.For(id) : current.All;
        var delay = req.DelayMs ?? basis.DelayMs;
        var jitter = req.JitterMs ?? basis.JitterMs;
        var loss = req.LossPercent ?? basis.LossPercent;
        if (LinkFault.Check(delay, jitter, loss) is { } invalid) return Error(StatusCodes.Status400BadRequest, invalid);
        var fault = new LinkFault(delay, jitter, loss);
        var next = req.Link is { } link ? current.WithLink(link, fault) : peer is { } target ? current.WithPeer(target, fault) : current.WithAll(fault);
        return Apply(node, next, "link");
    }

    /// <summary>Sets the faults; a link the node does not run is the request's fault, named.</summary>
    private static IResult Apply(INodeControl node, FaultSettings next, string parameter)
    {
        try
        {
            node.SetFaults(next);
        }
        catch (ArgumentException ex)
        {
            return Error(StatusCodes.Status400BadRequest, $"\"{parameter}\": {ex.Message}");
        }
        return Json(node.GetFaults().ToDto());
    }

    private static IResult ClearFaults(INodeControl node, HttpRequest request)
    {
        var hasPeer = request.Query.TryGetValue("peer", out var rawPeer);
        var hasLink = request.Query.TryGetValue("link", out var rawLink);
        if (!hasPeer && !hasLink)
        {
            node.SetFaults(FaultSettings.None);
            return Json(node.GetFaults().ToDto());
        }
        var next = node.GetFaults();
        if (hasPeer)
        {
            if (!uint.TryParse(rawPeer.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var peer))
                return Error(StatusCodes.Status400BadRequest, $"query parameter \"peer\" must be a node id, got \"{rawPeer}\"");
            next = next.WithoutPeer(new NodeId(peer));
        }
        if (hasLink)
        {
            if (!uint.TryParse(rawLink.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var link))
                return Error(StatusCodes.Status400BadRequest, $"query parameter \"link\" must be a link number (0..7), got \"{rawLink}\"");
            next = next.WithoutLink(link);
        }
        node.SetFaults(next);
        return Json(node.GetFaults().ToDto());
    }

    /// <summary>
    /// Server-sent events: the headers go out at once (a watcher knows it is connected before the
    /// first event), then one "event:"/"data:" pair per cluster event, flushed as it happens.
    /// </summary>
    private static async Task StreamEventsAsync(INodeControl node, HttpContext context)
    {
        var ct = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            await context.Response.WriteAsync(": connected\n\n", ct).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            await foreach (var e in node.SubscribeEvents(ct).WithCancellation(ct).ConfigureAwait(false))
            {
                var dto = e.ToDto();
                await context.Response.WriteAsync($"event: {dto.Type}\ndata: {JsonSerializer.Serialize(dto, ControlJson.Options.TypeInfo<EventDto>())}\n\n", ct).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The watcher went away.
        }
    }

    private static async Task<(T? Body, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        try
        {
            var body = await JsonSerializer.DeserializeAsync(request.Body, ControlJson.StrictOptions.TypeInfo<T>(), ct).ConfigureAwait(false);
            return body is null
                ? (null, Error(StatusCodes.Status400BadRequest, "the body must be a JSON object, got null"))
                : (body, null);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 0 } path && path != "$" ? $" at {path}" : "";
            return (null, Error(StatusCodes.Status400BadRequest, $"invalid JSON body{where}: {FirstSentence(ex.Message)}"));
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut].TrimEnd('.') : message;
    }

    private static bool TryQueryLong(HttpRequest request, string name, long fallback, long min, long max, out long value, out IResult? problem)
    {
        problem = null;
        value = fallback;
        if (!request.Query.TryGetValue(name, out var raw)) return true;
        if (long.TryParse(raw.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
            return true;
        problem = Error(StatusCodes.Status400BadRequest,
            string.Create(CultureInfo.InvariantCulture, $"query parameter \"{name}\" must be an integer in {min}..{max}, got \"{raw}\""));
        return false;
    }
}
