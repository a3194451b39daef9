using System.Collections.Concurrent;
using System.Net;
using LoggingExtensions = Akka.Event.LoggingExtensions;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Totem.Nodes.Control;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Logging;

/// <summary>Akka.NET's own events reach the node's corosync-shaped log through Akka.Logger.Serilog (issue 17).</summary>
[Collection(StaticSerilogLoggerCollection.Name)]
public sealed class AkkaLogTests
{
    private sealed class Collect : ILogEventSink
    {
        public ConcurrentQueue<LogEvent> Events { get; } = new();
        public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);
    }

    [Fact]
    public async Task An_akka_warning_of_a_udp_node_is_written_to_the_nodes_log_as_AKKA()
    {
        var sink = new Collect();
        var logger = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(sink).CreateLogger();
        var port = LoopbackPorts.Udp(1);
        var address = LoopbackPorts.Address(1);
        var me = new NodeId(1);
        var nodelist = new[] { new NodeEntry(me, "node1", address.ToString(), 1, 1) };
        var options = new NodeOptions(me, "akka-log-test", TotemTimeouts.Derive(new TotemSettings(), 1), QuorumSettings.Default, nodelist,
            FencingSettings.Default with { Mode = FencingMode.None });
        var peers = new PeerTable();
        peers.Replace([KeyValuePair.Create(me, new IPEndPoint(address, port))]);
        var previous = Log.Logger;
        var node = TotemNode.StartUdp(options, new IPEndPoint(address, port), peers, logger);
        try
        {
            LoggingExtensions.Warning(node.System.Log, "probe {0} from the actor system", 42);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            LogEvent? seen = null;
            while (seen is null && DateTime.UtcNow < deadline)
            {
                seen = sink.Events.FirstOrDefault(e => e.RenderMessage().Contains("probe 42 from the actor system"));
                if (seen is null) await Task.Delay(20);
            }
            Assert.NotNull(seen);
            Assert.Equal(LogEventLevel.Warning, seen.Level);
            Assert.Equal(LogSubsystem.Akka, ((ScalarValue)seen.Properties[LogSubsystem.Property]).Value);
        }
        finally
        {
            node.Crash();
            Log.Logger = previous;
        }
    }
}
