namespace Totem.Protocol.Verification;

/// <summary>The names that prefix every violation reported by <see cref="InvariantChecker"/> ("agreed order: ...").</summary>
public static class Invariants
{
    /// <summary>Messages of a ring are delivered in one order everywhere, without gaps while the configuration is regular.</summary>
    public const string AgreedOrder = "agreed order";
    /// <summary>No incarnation delivers the same message twice.</summary>
    public const string NoDuplicates = "no duplicates";
    /// <summary>Nodes that move together from one regular configuration to the next delivered the same messages in it.</summary>
    public const string VirtualSynchrony = "virtual synchrony";
    /// <summary>Transitional then regular, with consistent members, joined and left lists and growing ring ids.</summary>
    public const string Configuration = "configuration";
    /// <summary>
    /// Messages are delivered only in the ring of the current configuration, and only from its members; after a
    /// transitional configuration (recovery past a gap) only from the members of the transitional configuration.
    /// </summary>
    public const string RingMembership = "ring membership";
    /// <summary>
    /// No application message is delivered in a ring before that ring's service synchronization completed on the
    /// delivering node (judged when the run records completions, see <see cref="DeliveryRecorder.RecordSyncCompleted"/>).
    /// </summary>
    public const string ServiceSync = "service sync";
    /// <summary>A node that survives a ring delivers the messages it sent on it.</summary>
    public const string SelfDelivery = "self-delivery";
    /// <summary>At the end of a run that should have settled: every survivor settled, agreed and delivered what was submitted.</summary>
    public const string Liveness = "liveness";
}
