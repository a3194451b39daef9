using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Totem.Host.Control;
using Totem.Host.Control.Api;

namespace Totem.Host.Dashboard.Web;

/// <summary>
/// The dashboard's HTTP side: GET / (the page, embedded), GET /events (server-sent events, <see cref="PageFeed"/>),
/// POST /api/fault (a fault button: <see cref="FaultCommand"/> through the nodes' control APIs). Anything else is a
/// JSON 404; a bad parameter a JSON 400 naming it.
/// </summary>
public static class DashboardWeb
{
    private static readonly string[] NoParameters = [];

    public static WebApplication Build(DashboardOptions options, PageFeed feed, Func<NodeTarget, ControlClient> controlFor)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(options.Listen));
        var app = builder.Build();
        var page = Page();

        app.MapGet("/", (HttpContext http) =>
            Refused(http.Request.Query, NoParameters) ?? Results.Bytes(page, "text/html; charset=utf-8"));
        app.MapGet("/events", async (HttpContext http) =>
        {
            if (Refused(http.Request.Query, NoParameters) is { } refusal)
            {
                await refusal.ExecuteAsync(http).ConfigureAwait(false);
                return;
            }
            http.Response.Headers.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            await http.Response.WriteAsync(": totem-dashboard\n\n", http.RequestAborted).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
            try
            {
                await foreach (var chunk in feed.OpenAsync(http.RequestAborted).ConfigureAwait(false))
                {
                    await http.Response.WriteAsync(chunk, http.RequestAborted).ConfigureAwait(false);
                    await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // The page went away.
            }
        });
        app.MapPost("/api/fault", async (HttpContext http) =>
        {
            if (FaultCommand.Parse(http.Request.Query, out var error) is not { } command) return Error(400, error!);
            try
            {
                return await ApplyAsync(command, feed, controlFor, http.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or ControlApiException or TaskCanceledException)
            {
                return Error(502, $"the node's control API refused or did not answer: {ex.Message}");
            }
        });
        app.MapFallback((HttpContext http) => Error(404, $"no such page or endpoint: {http.Request.Method} {http.Request.Path}"));
        return app;
    }

    private static async Task<IResult> ApplyAsync(FaultCommand command, PageFeed feed, Func<NodeTarget, ControlClient> controlFor, CancellationToken ct)
    {
        var nodes = feed.KnownNodes();
        ControlClient? target = null;
        if (command.Node is { } id)
        {
            if (!nodes.TryGetValue(id, out var where))
                return Error(400, $"node: {id} is not a node the dashboard has reached (known: {(nodes.Count == 0 ? "none" : string.Join(", ", nodes.Keys.Order()))})");
            target = controlFor(where);
        }
        switch (command.Kind)
        {
            case FaultCommand.Delay:
                return Ok(await target!.SetFaultAsync(new FaultRequest(null, command.DelayMs, null, null), ct).ConfigureAwait(false));
            case FaultCommand.Loss:
                return Ok(await target!.SetFaultAsync(new FaultRequest(null, null, null, command.LossPercent), ct).ConfigureAwait(false));
            case FaultCommand.Partition:
                // Cut both ways: the node drops all it sends, every other node drops what it sends to the node.
                foreach (var (other, where) in nodes.Where(n => n.Key != command.Node))
                    await controlFor(where).SetFaultAsync(new FaultRequest(command.Node, null, null, 100), ct).ConfigureAwait(false);
                return Ok(await target!.SetFaultAsync(new FaultRequest(null, null, null, 100), ct).ConfigureAwait(false));
            default:
                FaultsDto? last = null;
                foreach (var where in nodes.Values) last = await controlFor(where).ClearFaultsAsync(null, ct).ConfigureAwait(false);
                return last is null ? Error(400, "node: no node has been reached yet, nothing to heal") : Ok(last);
        }
    }

    private static IResult Ok(FaultsDto faults) =>
        Results.Text(JsonSerializer.Serialize(faults, DashboardJsonContext.Default.FaultsDto), "application/json", statusCode: 200);

    private static IResult? Refused(IQueryCollection query, string[] allowed) =>
        query.Keys.FirstOrDefault(k => !allowed.Contains(k, StringComparer.Ordinal)) is { } unknown
            ? Error(400, $"unknown parameter '{unknown}' ({(allowed.Length == 0 ? "this page takes none" : "expected " + string.Join(", ", allowed))})")
            : null;

    private static IResult Error(int status, string message) =>
        Results.Text(JsonSerializer.Serialize(new ErrorDto(message), DashboardJsonContext.Default.ErrorDto), "application/json", statusCode: status);

    private static byte[] Page()
    {
        using var stream = typeof(DashboardWeb).Assembly.GetManifestResourceStream("Totem.Host.Dashboard.index.html")
            ?? throw new InvalidOperationException("the page (index.html) is not embedded in totem-dashboard");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
