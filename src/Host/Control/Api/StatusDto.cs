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

/// <summary>The ring's link; <see cref="Links"/>: every knet link's socket when the node runs redundant links, else null.</summary>
public sealed record LinkDto(string LocalAddress, int Port, IReadOnlyList<PeerLinkDto> Peers, IReadOnlyList<LocalKnetLinkDto>? Links = null);

/// <summary>One peer; <see cref="Links"/>: each knet link to it when the node runs redundant links, else null.</summary>
public sealed record PeerLinkDto(uint NodeId, string Address, bool Connected, DateTimeOffset? LastHeard, IReadOnlyList<PeerKnetLinkDto>? Links = null);

/// <summary>One knet link's socket and what it dropped or refused (faults, send errors, unauthenticated, unlisted).</summary>
public sealed record LocalKnetLinkDto(uint Link, string Address, int Port, long Dropped);

/// <summary>
/// One knet link to one peer: connected (the heartbeat's up), pings and pongs, the round trip's p50/p99 in ms over the
/// last pongs (null before one), the ring's datagrams and bytes each way, inbound datagrams dropped by a link fault,
/// and how often the link came up and went down.
/// </summary>
public sealed record PeerKnetLinkDto(uint Link, string Address, bool Connected, long PingsSent, long PongsReceived, double? LatencyP50Ms, double? LatencyP99Ms,
    long LatencySamples, long TxDataPackets, long TxDataBytes, long RxDataPackets, long RxDataBytes, long Dropped, long UpCount, long DownCount);
