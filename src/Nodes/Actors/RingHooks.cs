using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Actors;

/// <summary>What the ring reports outside the actors: the engines' outputs (the simulator's checker), ring seqs to keep, actor failures.</summary>
public sealed record RingHooks
{
    public static RingHooks None { get; } = new();

    /// <summary>Every output of both engines (each actor's in its own order), for the simulator's invariant checker (null in production).</summary>
    public Action<SrpOutput>? ProtocolOutput { get; init; }

    /// <summary>
    /// Told when the service synchronization of a ring completed on this node, in order with the engines' outputs
    /// (the checker's "service sync" invariant; null in production).
    /// </summary>
    public Action<RingId>? ServiceSyncCompleted { get; init; }

    /// <summary>Where a newly seen ring seq is kept across restarts (null: not kept).</summary>
    public Action<ulong>? PersistRingSeq { get; init; }

    /// <summary>Told of every actor failure the node's supervisors handle (the simulator counts each as a bug).</summary>
    public Action<string, Exception>? OnActorFailure { get; init; }

    /// <summary>The node's random source, uniform in [0, 1) (send_join's delay); the simulation's seeded random there.</summary>
    public Func<double> NextRandom { get; init; } = Random.Shared.NextDouble;
}
