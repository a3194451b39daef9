using System.Net;
using Totem.Host.Totemd.Api;

namespace Totem.Host.Tests.Fixtures;

/// <summary>The real control API on Kestrel, 127.0.0.1 port 0, over a <see cref="ScriptedNode"/>.</summary>
public sealed class ControlServerFixture : IAsyncDisposable
{
    private readonly ControlServer _app;

    private ControlServerFixture(ControlServer app, ScriptedNode node, Uri address)
    {
        _app = app;
        Node = node;
        Address = address;
        Http = new HttpClient { BaseAddress = address };
    }

    public ScriptedNode Node { get; }
    public Uri Address { get; }
    public HttpClient Http { get; }

    public static async Task<ControlServerFixture> StartAsync(ScriptedNode? node = null)
    {
        node ??= new ScriptedNode();
        var app = ControlServer.Build(node, new IPEndPoint(IPAddress.Loopback, 0), Serilog.Core.Logger.None);
        await app.StartAsync(CancellationToken.None);
        return new ControlServerFixture(app, node, ControlServer.BoundAddress(app));
    }

    /// <summary>totemctl, in-process, against this server (its <c>--node</c> given first).</summary>
    public Task<(int Code, string Out, string Err)> RunTotemctlAsync(params string[] args) =>
        Totemctl.OfflineTotemctl.Run(["--node", Address.ToString(), .. args]);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
