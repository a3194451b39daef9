using Totem.Protocol.Wire;

namespace Totem.Protocol.Client;

/// <summary>One frame of the local client protocol (<see cref="ClientFrameCodec"/> describes the bytes).</summary>
public abstract record ClientFrame;

/// <summary>Client -> node: multicast these messages in agreed order, all or none (CPG's cpg_mcast_joined for a batch).</summary>
/// <param name="Messages">Slices of the frame that carried them: never mutated, kept only until submitted.</param>
public sealed record MulticastBatch(uint BatchId, IReadOnlyList<ReadOnlyMemory<byte>> Messages) : ClientFrame;

/// <summary>Client -> node: send me what the node delivers from now on (messages, configuration changes or both).</summary>
public sealed record Subscribe(SubscribeTo What) : ClientFrame;

[Flags]
public enum SubscribeTo : byte
{
    Messages = 1,
    ConfigurationChanges = 2,
}

/// <summary>Node -> client: the batch is queued; its messages are the node's submissions FirstIndex .. FirstIndex + Count - 1.</summary>
public sealed record BatchAccepted(uint BatchId, int Count, long FirstIndex) : ClientFrame;

/// <summary>Node -> client: nothing of the batch was queued (CPG's CS_ERR_TRY_AGAIN): the node's send queue is full or the node is not ready.</summary>
public sealed record BatchTryAgain(uint BatchId, string Reason) : ClientFrame;

/// <summary>Node -> client: the subscription runs; the first delivery it will see has this node's delivery index.</summary>
public sealed record Subscribed(long NextIndex) : ClientFrame;

/// <summary>Node -> client: messages the node delivered, in delivery order.</summary>
public sealed record DeliveredBatch(IReadOnlyList<ClientDelivery> Messages) : ClientFrame;

/// <summary>One delivered message: the node's delivery index, where the ring ordered it, who sent it.</summary>
public sealed record ClientDelivery(long Index, RingId RingId, uint Seq, NodeId Sender, ReadOnlyMemory<byte> Payload);

/// <summary>Node -> client: a new regular configuration, in its place among the deliveries (after every message of the old one).</summary>
public sealed record ConfigurationChange(RingId RingId, ValueList<NodeId> Members, ValueList<NodeId> Joined, ValueList<NodeId> Left) : ClientFrame;

/// <summary>Node -> client: the connection is closed after this frame.</summary>
public sealed record ClientError(ClientErrorCode Code, string Message) : ClientFrame;

public enum ClientErrorCode : byte
{
    /// <summary>A frame that does not decode (its detail names the field and offset).</summary>
    MalformedFrame = 1,
    /// <summary>A frame type this node does not know, or one a node never receives.</summary>
    UnknownFrameType = 2,
    /// <summary>A protocol version this node does not speak.</summary>
    UnsupportedVersion = 3,
    /// <summary>A frame or a message above the protocol's limits.</summary>
    TooLarge = 4,
    /// <summary>The subscriber fell so far behind that the node forgot deliveries it had not sent yet.</summary>
    FellBehind = 5,
    /// <summary>The node is stopping.</summary>
    Stopping = 6,
}
