using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Totem.Host.Totemd.Logging;
using Totem.Nodes.Control;

namespace Totem.Host.Totemd.Api;

/// <summary>Kestrel serving the control API of one node on one address (127.0.0.1 unless configured).</summary>
public static class ControlServer
{
    public static WebApplication Build(INodeControl node, IPEndPoint listen, Serilog.ILogger log)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(listen));
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new SerilogBridgeProvider(log));
        builder.Logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning);
        var app = builder.Build();
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await ControlApi.Error(StatusCodes.Status500InternalServerError, "internal error; see the totemd log")
                .ExecuteAsync(context).ConfigureAwait(false);
        }));
        app.MapControlApi(node);
        return app;
    }

    /// <summary>The address Kestrel actually bound (resolves port 0).</summary>
    public static Uri BoundAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("The control server exposes no addresses.");
        return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }
}
