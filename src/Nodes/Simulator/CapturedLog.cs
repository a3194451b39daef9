using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator;

/// <summary>One log line of a simulated node, stamped with virtual time since the simulation began.</summary>
public sealed record CapturedLog(TimeSpan At, NodeId Node, string Level, string Subsystem, string Message)
{
    public override string ToString() => $"{At.TotalMilliseconds,10:F0} ms node {Node} [{Subsystem,-6}] {Level}: {Message}";
}
