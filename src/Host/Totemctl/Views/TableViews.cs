using System.Globalization;
using Spectre.Console;
using Totem.Host.Control.Api;
using Totem.Protocol.Config;

namespace Totem.Host.Totemctl.Views;

/// <summary>The table-shaped outputs: members, runtime keys, rings, messages, faults, events.</summary>
public static class TableViews
{
    public static void WriteMembers(IAnsiConsole console, StatusDto s)
    {
        var links = s.Link.Peers.ToDictionary(p => p.NodeId);
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("Nodeid").AddColumn("Votes").AddColumn("Name").AddColumn("Address").AddColumn("Member").AddColumn("Link");
        foreach (var n in s.Nodes.OrderBy(n => n.NodeId))
        {
            var link = n.NodeId == s.NodeId ? "local"
                : links.TryGetValue(n.NodeId, out var peer) ? LinkText(peer, s.At)
                : "unknown";
            table.AddRow(
                Markup.Escape(n.NodeId.ToString(CultureInfo.InvariantCulture) + (n.NodeId == s.NodeId ? " (local)" : "")),
                n.Votes.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(n.Name ?? ""),
                Markup.Escape(n.Address ?? ""),
                n.Member ? "yes" : "no",
                Markup.Escape(link));
        }
        console.Write(table);
        console.WriteLine($"Ring {s.RingId.Text}: {s.Members.Count} members ({string.Join(" ", s.Members)}), {(s.Quorate ? "quorate" : "NOT quorate")}");
    }

    /// <summary>corosync-cmapctl's format: `key (type) = value`.</summary>
    public static void WriteRuntime(TextWriter w, RuntimeDto r)
    {
        foreach (var e in r.Entries) w.WriteLine($"{e.Key} ({e.Type}) = {e.Value}");
    }

    /// <summary>corosync-cfgtool -s's format: one LINK ID block per knet link, each peer connected or not on it.</summary>
    public static void WriteRings(TextWriter w, StatusDto s)
    {
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Local node ID {s.NodeId}, transport {s.Transport}"));
        if (s.Link.Links is { Count: > 0 } links)
        {
            foreach (var link in links)
            {
                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LINK ID {link.Link} udp"));
                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\taddr\t= {link.Address}:{link.Port}"));
                w.WriteLine("\tstatus:");
                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\t\tnodeid: {s.NodeId,4}:\tlocalhost"));
                foreach (var p in s.Link.Peers.OrderBy(p => p.NodeId))
                {
                    var onLink = p.Links?.FirstOrDefault(l => l.Link == link.Link);
                    w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"\t\tnodeid: {p.NodeId,4}:\t{(onLink is { Connected: true } ? "connected" : "disconnected")}\t({onLink?.Address})"));
                }
            }
            return;
        }
        w.WriteLine("LINK ID 0 udp");
        w.WriteLine($"\taddr\t= {s.Link.LocalAddress}:{s.Link.Port.ToString(CultureInfo.InvariantCulture)}");
        w.WriteLine("\tstatus:");
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\t\tnodeid: {s.NodeId,4}:\tlocalhost"));
        foreach (var p in s.Link.Peers.OrderBy(p => p.NodeId))
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\t\tnodeid: {p.NodeId,4}:\t{LinkText(p, s.At)}\t({p.Address})"));
    }

    /// <summary>
    /// The MTU corosync-cfgtool -n shows per link. knet reports what its path-MTU discovery found; this build has none and
    /// sizes every frame for corosync's netmtu 1500 (totem.netmtu is not configurable here), so that is what every link carries.
    /// </summary>
    private const uint LinkMtu = TotemTimeoutRules.NetMtu;

    /// <summary>
    /// corosync-cfgtool -n's format: each peer reachable or not, and each knet link to it (this node's address to the
    /// peer's, enabled, connected) with what the heartbeat measured: the round trip's p50/p99, pings and pongs.
    /// </summary>
    public static void WriteNodeLinks(TextWriter w, StatusDto s)
    {
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Local node ID {s.NodeId}, transport {s.Transport}"));
        var local = s.Link.Links ?? [new LocalKnetLinkDto(0, s.Link.LocalAddress, s.Link.Port, 0)];
        foreach (var p in s.Link.Peers.OrderBy(p => p.NodeId))
        {
            var links = p.Links ?? [];
            var reachable = links.Count > 0 ? links.Any(l => l.Connected) : p.Connected;
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nodeid: {p.NodeId}{(reachable ? " reachable" : "")}"));
            if (links.Count == 0)
            {
                // One link: no heartbeat runs, connected is "heard within the token timeout".
                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   LINK: 0 udp ({s.Link.LocalAddress}->{p.Address}) enabled{(p.Connected ? " connected" : "")} mtu: {LinkMtu}"));
                continue;
            }
            foreach (var l in links)
            {
                var from = local.FirstOrDefault(x => x.Link == l.Link)?.Address ?? "";
                var latency = l.LatencyP50Ms is { } p50 && l.LatencyP99Ms is { } p99
                    ? string.Create(CultureInfo.InvariantCulture, $" latency p50: {p50:0.###} ms p99: {p99:0.###} ms")
                    : "";
                w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   LINK: {l.Link} udp ({from}->{l.Address}) enabled{(l.Connected ? " connected" : "")} mtu: {LinkMtu}{latency} pings: {l.PingsSent} pongs: {l.PongsReceived} down: {l.DownCount}"));
            }
        }
    }

    public static void WriteMessages(IAnsiConsole console, MessagesDto m)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("Index").AddColumn("Ring").AddColumn("Seq").AddColumn("Sender").AddColumn("Delivered").AddColumn("Payload");
        foreach (var x in m.Messages)
            table.AddRow(
                x.Index.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(x.RingId.Text),
                x.Seq.ToString(CultureInfo.InvariantCulture),
                x.Sender.ToString(CultureInfo.InvariantCulture),
                x.DeliveredAt.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture),
                Markup.Escape(x.Payload));
        console.Write(table);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.Messages.Count} messages; next: --from {m.Next}"));
    }

    public static void WriteFaults(IAnsiConsole console, FaultsDto f)
    {
        var links = f.Links ?? [];
        if (IsNone(f.All) && f.Peers.Count == 0 && links.Count == 0)
        {
            console.WriteLine("No faults injected.");
            return;
        }
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("Peers").AddColumn("Delay").AddColumn("Jitter").AddColumn("Loss");
        table.AddRow("all", Ms(f.All.DelayMs), Ms(f.All.JitterMs), Pct(f.All.LossPercent));
        foreach (var p in f.Peers)
            table.AddRow(p.Peer.ToString(CultureInfo.InvariantCulture), Ms(p.DelayMs), Ms(p.JitterMs), Pct(p.LossPercent));
        foreach (var l in links)
            table.AddRow($"link {l.Link.ToString(CultureInfo.InvariantCulture)} (both ways)", Ms(l.DelayMs), Ms(l.JitterMs), Pct(l.LossPercent));
        console.Write(table);
    }

    public static void WriteEvent(TextWriter w, EventDto e) =>
        w.WriteLine($"{e.At.ToLocalTime().ToString("MMM dd HH:mm:ss.fff", CultureInfo.InvariantCulture)} {e.Type,-21} {e.Summary}");

    public static string LinkText(PeerLinkDto p, DateTimeOffset now)
    {
        if (p.LastHeard is not { } heard) return p.Connected ? "connected" : "disconnected (never heard)";
        var ago = Math.Max(0, (now - heard).TotalSeconds);
        return p.Connected ? "connected" : string.Create(CultureInfo.InvariantCulture, $"disconnected (last heard {ago:0.0} s ago)");
    }

    private static bool IsNone(LinkFaultDto f) => f.DelayMs == 0 && f.JitterMs == 0 && f.LossPercent == 0;

    private static string Ms(uint ms) => string.Create(CultureInfo.InvariantCulture, $"{ms} ms");

    private static string Pct(double p) => string.Create(CultureInfo.InvariantCulture, $"{p}%");
}
