using System.Globalization;
using System.Text;
using Totem.Nodes.Control;
using Totem.Protocol.Config;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Host.Control.Api;

/// <summary>The one translation from the node facade's records to the API's JSON shapes.</summary>
public static class DtoMapper
{
    private static readonly UTF8Encoding LenientUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static RingIdDto ToDto(this RingId ring) => new(ring.Representative.Value, ring.Seq, ring.ToString());

    public static string ToWire(this SrpState state) => state switch
    {
        SrpState.Operational => "operational",
        SrpState.Gather => "gather",
        SrpState.Commit => "commit",
        SrpState.Recovery => "recovery",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown SRP state"),
    };

    public static StatusDto ToDto(this NodeStatusSnapshot s) => new(
        s.NodeId.Value,
        s.ClusterName,
        s.Transport,
        s.State.ToWire(),
        s.RingId.ToDto(),
        Ids(s.Members),
        s.Quorum.Quorate,
        s.Quorum.TotalVotes,
        s.Quorum.ExpectedVotes,
        s.Quorum.HighestExpected,
        s.Quorum.Quorum,
        s.Quorum.Flags.ToArray(),
        s.Quorum.Nodes.Select(n => new QuorumNodeDto(n.NodeId.Value, n.Votes, n.ExpectedVotes, n.Name, n.Address, n.Member)).ToArray(),
        new WatchdogDto(s.Watchdog.Armed, s.Watchdog.Deadline, s.Watchdog.Mode.ToString().ToLowerInvariant(), s.Watchdog.TimeoutMs),
        new LinkDto(s.Link.LocalAddress, s.Link.Port,
            s.Link.Peers.Select(p => new PeerLinkDto(p.NodeId.Value, p.Address, p.Connected, p.LastHeard,
                p.Links.Count == 0 ? null : p.Links.Select(l => l.ToDto()).ToArray())).ToArray(),
            s.Link.Links.Count == 0 ? null : s.Link.Links.Select(l => new LocalKnetLinkDto(l.Link, l.Address, l.Port, l.Dropped)).ToArray()),
        s.StartedAt,
        s.At,
        s.Store is { } store ? new StoreStatusDto(store.Keys, store.Version, store.Epoch.ToDto(), store.Quorate, store.Synchronized, store.Writable) : null);

    public static PeerKnetLinkDto ToDto(this PeerKnetLink l) => new(l.Link, l.Address, l.Connected, l.PingsSent, l.PongsReceived, l.LatencyP50Ms, l.LatencyP99Ms,
        l.LatencySamples, l.TxDataPackets, l.TxDataBytes, l.RxDataPackets, l.RxDataBytes, l.Dropped, l.UpCount, l.DownCount);

    public static RuntimeEntryDto ToDto(this CmapEntry e) => new(e.Key, e.Type, e.Value);

    public static ReloadDto ToDto(this ConfigReloadResult r) => new(
        r.Requester.Value, r.RequestId, r.Members.Select(m => m.Value).ToArray(),
        r.Reports.Select(p => new ReloadNodeDto(p.Key.Value, p.Value.Outcome.ToString().ToLowerInvariant(), p.Value.ConfigVersion, p.Value.Detail)).ToArray(),
        r.Missing.Select(m => m.Value).ToArray(), r.AllTook);

    public static MessageDto ToDto(this DeliveredApplicationMessage m) =>
        new(m.Index, m.RingId.ToDto(), m.Seq, m.Sender.Value, LenientUtf8.GetString(m.Payload.Span), m.DeliveredAt);

    public static FaultsDto ToDto(this FaultSettings f) => new(
        new LinkFaultDto(f.All.DelayMs, f.All.JitterMs, f.All.LossPercent),
        f.Peers.Select(p => new PeerFaultDto(p.Peer.Value, p.Fault.DelayMs, p.Fault.JitterMs, p.Fault.LossPercent)).ToArray(),
        f.Links.Select(l => new KnetLinkFaultDto(l.Link, l.Fault.DelayMs, l.Fault.JitterMs, l.Fault.LossPercent)).ToArray());

    public static EventDto ToDto(this ClusterEvent e) => e switch
    {
        MembershipFormed m => new EventDto("membershipFormed", m.At,
            $"A new membership ({m.RingId}) was formed. Members{Listed(" joined:", m.Joined)}{Listed(" left:", m.Left)}",
            RingId: m.RingId.ToDto(), Members: Ids(m.Members), Joined: Ids(m.Joined), Left: Ids(m.Left)),
        TokenLost t => new EventDto("tokenLost", t.At,
            $"Token has not been received in {t.TimeoutMs} ms",
            RingId: t.RingId.ToDto(), TimeoutMs: t.TimeoutMs),
        QuorumChanged q => new EventDto("quorumChanged", q.At,
            q.Quorate ? "This node is within the primary component and will provide service." : "This node is within the non-primary component and will NOT provide any services.",
            Members: Ids(q.Members), Quorate: q.Quorate, TotalVotes: q.TotalVotes, ExpectedVotes: q.ExpectedVotes, Quorum: q.Quorum),
        ExpectedVotesChanged x => new EventDto("expectedVotesChanged", x.At,
            string.Create(CultureInfo.InvariantCulture, $"Expected votes set to {x.ExpectedVotes}, quorum {x.Quorum}"),
            ExpectedVotes: x.ExpectedVotes, Quorum: x.Quorum),
        WatchdogArmed w => new EventDto("watchdogArmed", w.At,
            $"Quorum lost: watchdog armed, fencing at {w.Deadline:HH:mm:ss.fff} unless quorum returns", Deadline: w.Deadline),
        WatchdogDisarmed d => new EventDto("watchdogDisarmed", d.At, "Quorum regained: watchdog disarmed"),
        NodeFenced f => new EventDto("fenced", f.At, $"Fencing: {f.Reason}", Reason: f.Reason),
        KnetLinkChanged k => new EventDto(k.Up ? "linkUp" : "linkDown", k.At,
            k.Up
                ? string.Create(CultureInfo.InvariantCulture, $"rx: host: {k.Host.Value} link: {k.Link} is up")
                : string.Create(CultureInfo.InvariantCulture, $"link: host: {k.Host.Value} link: {k.Link} is down{(k.ActiveLinks == 0 ? $"; host: host: {k.Host.Value} has no active links" : "")}"),
            Node: k.Host.Value, Link: k.Link, Count: k.ActiveLinks),
        EventsDropped x => new EventDto("eventsDropped", x.At,
            string.Create(CultureInfo.InvariantCulture, $"{x.Count} events skipped: this reader fell behind"), Count: x.Count),
        StoreKeyChanged k => new EventDto("storeKeyChanged", k.At,
            string.Create(CultureInfo.InvariantCulture, $"Store: '{k.Path}' {(k.Removed ? "removed" : "written")} at version {k.KeyVersion} by node {k.Writer.Value}"),
            Path: k.Path, Version: k.KeyVersion, Node: k.Writer.Value, Reason: k.Removed ? "removed" : "written"),
        StoreStateReplaced r => new EventDto("storeReplaced", r.At,
            string.Create(CultureInfo.InvariantCulture, $"Store replaced by node {r.Source.Value}'s copy (version {r.Version}, epoch {r.Epoch})"),
            RingId: r.Epoch.ToDto(), Version: r.Version, Node: r.Source.Value),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown cluster event"),
    };

    private static uint[] Ids(ValueList<NodeId> ids) => ids.Select(i => i.Value).ToArray();

    /// <summary>totemsrp.c's wording: the " joined:" / " left:" parts appear only when non-empty.</summary>
    private static string Listed(string label, ValueList<NodeId> ids) => ids.Count == 0 ? "" : label + string.Concat(ids.Select(i => " " + i.Value));
}
