using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Totem.Host.Totemd.Logging;
using Totem.Nodes.Control;

namespace Totem.Host.Totemd.Api;

/// <summary>
/// Kestrel serving the control API of one node on one address (127.0.0.1 unless configured).
/// Kestrel runs on its own, without the generic host, DI container, configuration, routing and
/// endpoint machinery of a WebApplication: for eleven fixed routes that machinery cost each node
/// about 20 MiB of resident memory (issue 17). <see cref="ControlApi.HandleAsync"/> dispatches.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    private readonly KestrelServer _kestrel;
    private readonly Application _application;
    private int _disposed;

    private ControlServer(KestrelServer kestrel, Application application)
    {
        _kestrel = kestrel;
        _application = application;
    }

    public static ControlServer Build(INodeControl node, IPEndPoint listen, Serilog.ILogger log)
    {
        var loggers = new BridgeLoggerFactory(new SerilogBridgeProvider(log));
        var services = new ControlServices(loggers);
        var options = new KestrelServerOptions { ApplicationServices = services };
        options.Listen(listen);
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggers);
        var kestrel = new KestrelServer(Options.Create(options), transport, loggers);
        return new ControlServer(kestrel, new Application(node, services, loggers.CreateLogger(ControlApi.ErrorLogCategory)));
    }

    public Task StartAsync(CancellationToken cancellationToken) => _kestrel.StartAsync(_application, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => _kestrel.StopAsync(cancellationToken);

    /// <summary>The address Kestrel actually bound (resolves port 0).</summary>
    public static Uri BoundAddress(ControlServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var addresses = server._kestrel.Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("The control server exposes no addresses.");
        return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _kestrel.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>One HttpContext per request over Kestrel's features, as the host's context factory makes it.</summary>
    private sealed class Application(INodeControl node, IServiceProvider services, Microsoft.Extensions.Logging.ILogger errors) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures) { RequestServices = services };

        public Task ProcessRequestAsync(HttpContext context) => ControlApi.HandleAsync(node, context, errors);

        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }
    }

    /// <summary>What Kestrel asks the request's services for: the loggers.</summary>
    private sealed class ControlServices(ILoggerFactory loggers) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(ILoggerFactory) ? loggers : null;
    }

    /// <summary>Every category goes to the one Serilog bridge (warnings and errors only, tagged MAIN).</summary>
    private sealed class BridgeLoggerFactory(SerilogBridgeProvider provider) : ILoggerFactory
    {
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => provider.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose() => provider.Dispose();
    }
}
