namespace Totem.Nodes.Services;

/// <summary>
/// Which service a ring message belongs to, as corosync's services share one ordered stream:
/// application messages (what cpg carries) and votequorum's node-info exchange.
/// </summary>
public enum ServiceId : byte
{
    Application = 0,
    VoteQuorum = 1,
}
