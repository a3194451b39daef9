namespace Totem.Host.Control.Api;

/// <summary>
/// GET /v1/status. Node ids are corosync's decimal nodeids; ringId prints as corosync does ("1.2c"); transport is
/// totem.transport; store is null on a node without the replicated store.
/// </summary>
public sealed record StatusDto(
    uint NodeId,
    string ClusterName,
    string Transport,
    string State,
    RingIdDto RingId,
    IReadOnlyList<uint> Members,
    bool Quorate,
    uint TotalVotes,
    uint ExpectedVotes,
    uint HighestExpected,
    uint Quorum,
    IReadOnlyList<string> Flags,
    IReadOnlyList<QuorumNodeDto> Nodes,
    WatchdogDto Watchdog,
    LinkDto Link,
    DateTimeOffset StartedAt,
    DateTimeOffset At,
    StoreStatusDto? Store = null);

/// <summary>The replicated store: keys, store version, epoch, and whether a write here is sent (writable) or refused at once.</summary>
public sealed record StoreStatusDto(int Keys, ulong Version, RingIdDto Epoch, bool Quorate, bool Synchronized, bool Writable);

public sealed record RingIdDto(uint Rep, ulong Seq, string Text);

public sealed record QuorumNodeDto(uint NodeId, uint Votes, uint ExpectedVotes, string? Name, string? Address, bool Member);

public sealed record WatchdogDto(bool Armed, DateTimeOffset? Deadline, string Mode, uint TimeoutMs);

public sealed record LinkDto(string LocalAddress, int Port, IReadOnlyList<PeerLinkDto> Peers);

public sealed record PeerLinkDto(uint NodeId, string Address, bool Connected, DateTimeOffset? LastHeard);
