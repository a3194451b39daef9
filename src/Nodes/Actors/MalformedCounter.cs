namespace Totem.Nodes.Actors;

/// <summary>Malformed datagrams seen by a node, shared between its adapter (writer) and metrics (reader).</summary>
public sealed class MalformedCounter
{
    private long _count;
    public long Count => Interlocked.Read(ref _count);
    public long Increment() => Interlocked.Increment(ref _count);
}
