using Serilog.Core;
using Serilog.Events;
using Totem.Actors;
using Totem.Nodes.Control;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator;

/// <summary>Collects a simulated node's log lines with the simulation's virtual time.</summary>
internal sealed class CaptureSink(Simulation simulation, NodeId node, List<CapturedLog> into) : ILogEventSink
{
    public void Emit(LogEvent logEvent)
    {
        var subsystem = logEvent.Properties.TryGetValue(LogSubsystem.Property, out var value) && value is ScalarValue { Value: string s } ? s : "";
        into.Add(new CapturedLog(simulation.Elapsed, node, logEvent.Level.ToString(), subsystem, logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
