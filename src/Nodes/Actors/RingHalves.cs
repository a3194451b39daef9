using Akka.Actor;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Actors;

/// <summary>
/// The node's two ring actors, and which of them a Totem message is for (DESIGN.md's diagram): the ordering
/// token's traffic (tokens, multicasts, token hold cancels) to TokenHolder, membership's (joins, leaves, commit
/// tokens, merge probes) to Membership. What neither takes (no sender, an unknown type) goes to TokenHolder,
/// which counts it dropped, as corosync counts rx_msg_dropped.
/// </summary>
public sealed record RingHalves(IActorRef TokenHolder, IActorRef Membership)
{
    public IActorRef For(TotemMessage message) => IsMemberships(message) ? Membership : TokenHolder;

    public static bool IsMemberships(TotemMessage message) =>
        message.Sender.Value != 0 && message is JoinMessage or LeaveMessage or CommitToken or MergeDetect;

    public static bool IsTokenHolders(TotemMessage message) =>
        message.Sender.Value != 0 && message is OrfToken or McastMessage or TokenHoldCancel;
}
