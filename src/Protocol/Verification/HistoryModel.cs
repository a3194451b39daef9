using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Verification;

/// <summary>A message as the checker identifies it: its source and the id the run gave its payload.</summary>
internal readonly record struct MessageKey(NodeId Source, string Id)
{
    public override string ToString() => $"message '{(Id.Length > 40 ? Id[..40] + "..." : Id)}' of node {Source}";
}

/// <summary>Where in a ring's order a message was delivered: the multicast that completed it and its piece in that frame.</summary>
internal readonly record struct DeliverySlot(uint Seq, int Piece)
{
    public static DeliverySlot Of(Delivered d) => new(d.Seq, d.Piece);

    /// <summary>Ring order: by seq (with wrap-around), then by piece.</summary>
    public bool Before(DeliverySlot other) => Seq == other.Seq ? Piece < other.Piece : SeqNo.Lt(Seq, other.Seq);

    public override string ToString() => Piece == 0 ? $"seq {Seq}" : $"seq {Seq} piece {Piece}";
}

internal sealed record DeliveryRecord(Delivered Delivery, MessageKey Key, bool AfterTransitional)
{
    public DeliverySlot Slot => DeliverySlot.Of(Delivery);

    public override string ToString() => $"ring {Delivery.RingId} {Slot} from node {Delivery.Source}";
}

/// <summary>One regular configuration as one incarnation lived it, with the old-ring deliveries that followed it.</summary>
internal sealed class RegularPeriod(IncarnationHistory owner, RingId ring, ValueList<NodeId> members, ConfigurationChanged? transitional, RegularPeriod? previous)
{
    public IncarnationHistory Owner { get; } = owner;
    public RingId Ring { get; } = ring;
    public ValueList<NodeId> Members { get; } = members;
    /// <summary>The transitional configuration that led into this one, if any.</summary>
    public ConfigurationChanged? Transitional { get; } = transitional;
    public RegularPeriod? Previous { get; } = previous;
    public RegularPeriod? Next { get; set; }
    public List<DeliveryRecord> Deliveries { get; } = new();
    public HashSet<MessageKey> Keys { get; } = new();
}

internal sealed class IncarnationHistory(Incarnation incarnation, string name)
{
    public Incarnation Incarnation { get; } = incarnation;
    public NodeId Node => Incarnation.Node;
    public string Name { get; } = name;
    public List<RegularPeriod> Periods { get; } = new();
    /// <summary>A transitional configuration still waiting for its regular one when the history ended.</summary>
    public ConfigurationChanged? PendingTransitional { get; set; }
    public List<MessageKey> Submitted { get; } = new();
    public Dictionary<MessageKey, DeliveryRecord> Delivered { get; } = new();

    public override string ToString() => Name;
}
