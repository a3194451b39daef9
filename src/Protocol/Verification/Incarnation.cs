namespace Totem.Protocol.Verification;

/// <summary>
/// One life of a node: from its start (or restart) to its crash, or to the end of the run when
/// <see cref="Crashed"/> is false. A restarted node remembers nothing of earlier incarnations.
/// </summary>
public sealed record Incarnation(Wire.NodeId Node, int Number, IReadOnlyList<NodeEvent> Events, bool Crashed)
{
    public override string ToString() => $"node {Node} (incarnation {Number})";
}
