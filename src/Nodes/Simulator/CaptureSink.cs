using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;
using Totem.Nodes.Control;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator;

/// <summary>Collects a simulated node's log lines with the simulation's virtual time.</summary>
internal sealed class CaptureSink(Simulation simulation, NodeId node, List<CapturedLog> into) : ILogEventSink
{
    // Literal strings, as the console sink prints them (Retransmit List: 5 6, not "5 6").
    private static readonly MessageTemplateTextFormatter MessageOnly = new("{Message:lj}");

    public void Emit(LogEvent logEvent)
    {
        var subsystem = logEvent.Properties.TryGetValue(LogSubsystem.Property, out var value) && value is ScalarValue { Value: string s } ? s : "";
        into.Add(new CapturedLog(simulation.Elapsed, node, logEvent.Level.ToString(), subsystem, Render(logEvent)));
    }

    private static string Render(LogEvent logEvent)
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        MessageOnly.Format(logEvent, text);
        return text.ToString();
    }
}
