using Totem.Actors;
using Totem.Protocol.Srp;

namespace Totem.Nodes.Actors;

/// <summary>
/// Who the ring talks to. Filled in once the node's actors exist (they refer to each other), before
/// any of them processes a message.
/// </summary>
public sealed class NodeWiring
{
    public IActorRef Ring { get; set; } = ActorRefs.Nobody;
    public IActorRef Adapter { get; set; } = ActorRefs.Nobody;
    public IActorRef Timers { get; set; } = ActorRefs.Nobody;
    public IActorRef Quorum { get; set; } = ActorRefs.Nobody;
    public IActorRef Watchdog { get; set; } = ActorRefs.Nobody;

    /// <summary>Every engine output, in order, for the simulator's invariant checker (null in production).</summary>
    public Action<SrpOutput>? ProtocolOutput { get; init; }

    /// <summary>Where a newly seen ring seq is kept across restarts (null: not kept).</summary>
    public Action<ulong>? PersistRingSeq { get; init; }
}
