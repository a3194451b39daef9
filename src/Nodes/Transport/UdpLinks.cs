using System.Net;
using Serilog;
using Totem.Nodes.Control;
using Totem.Protocol.Links;
using Totem.Protocol.Security;

namespace Totem.Nodes.Transport;

/// <summary>
/// A node's ring transport on real UDP: one <see cref="UdpTransport"/> per knet link, each bound to the node's
/// ringN_addr with its own seal (the same key and settings, its own replay windows) and its own source filter
/// (block_unlisted_ips admits on link N only the peers' ringN_addr). One link is today's path, bare datagrams and
/// no link layer; several run under a <see cref="LinkedTransport"/> whose heartbeat runs on the process's clock.
/// </summary>
public static class UdpLinks
{
    /// <param name="links">Link 0 first, then the redundant links; every one gets a socket here.</param>
    /// <param name="shaperFor">The outbound fault shaper of each link's socket.</param>
    /// <param name="inboundFault">The fault on what arrives on a link, when there are several (<see cref="LinkedTransport.InboundFault"/>).</param>
    /// <returns>The ring's transport, and each link's socket transport by link number (the same object when there is one link).</returns>
    public static (IDatagramTransport Ring, IReadOnlyDictionary<uint, UdpTransport> Sockets) Open(NodeOptions options, IReadOnlyList<UdpLink> links,
        Func<uint, IOutboundShaper> shaperFor, Func<uint, TimeSpan?>? inboundFault, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(shaperFor);
        if (links.Count == 0) throw new ArgumentException("a ring needs at least one link", nameof(links));
        var epoch = options.Crypto?.BootEpoch ?? DatagramCrypto.EpochNow(TimeProvider.System);
        var sockets = new SortedDictionary<uint, UdpTransport>();
        try
        {
            foreach (var link in links)
                sockets.Add(link.LinkNumber, OpenSocket(options, link, shaperFor(link.LinkNumber), epoch, logger));
        }
        catch
        {
            foreach (var opened in sockets.Values) opened.Dispose();
            throw;
        }
        if (sockets.Count == 1) return (sockets.Values.Single(), sockets);
        var totem = options.Config?.Totem ?? new Protocol.Config.TotemSettings();
        var table = new LinkTable(options.NodeId, LinkModes.Parse(totem.LinkMode), LinkSettings.For(sockets.Keys, totem, options.Timeouts));
        var hosts = links[0].Peers.Snapshot.Keys;
        var ring = new LinkedTransport(table, sockets.ToDictionary(s => s.Key, s => (IDatagramTransport)s.Value), hosts, new SystemLinkTimer(), epoch, logger)
        {
            InboundFault = inboundFault,
        };
        // A ring found by DNS (discovery.dns_name) learns its hosts as replicas appear; subscribed before the second read,
        // so a change in between is not missed.
        links[0].Peers.Changed += peers => ring.AddHosts(peers.Keys);
        ring.AddHosts(links[0].Peers.Snapshot.Keys);
        var log = logger.ForContext(LogSubsystem.Property, LogSubsystem.Transport);
        log.Information("knet: {Count} links, link_mode {Mode:l}", sockets.Count, totem.LinkMode);
        foreach (var link in table.Links)
            log.Information("knet: link {Link} on {Endpoint:l} (priority {Priority}): ping every {IntervalMs} ms, down after {TimeoutMs} ms without a pong, up after {PongCount} pongs",
                link.LinkNumber, sockets[link.LinkNumber].LocalEndPoint.ToString(), link.Priority, (long)link.PingInterval.TotalMilliseconds,
                (long)link.PingTimeout.TotalMilliseconds, link.PongCount);
        return (ring, sockets);
    }

    private static UdpTransport OpenSocket(NodeOptions options, UdpLink link, IOutboundShaper shaper, ulong epoch, ILogger logger)
    {
        var seal = options.Crypto is { } crypto
            ? new DatagramSeal(crypto.Settings, crypto.AuthKey.Span, options.ClusterName, options.NodeId, epoch)
            : null;
        try
        {
            var socket = new UdpTransport(options.NodeId, link.BindTo, link.Peers, shaper, seal, logger, new SourceFilter(link.Peers, options.BlockUnlistedIps, logger),
                downcheck: TimeSpan.FromMilliseconds(options.Timeouts.Downcheck));
            // corosync's line once its socket is bound; totemd times its start-up phase "socket bound" by it.
            logger.ForContext(LogSubsystem.Property, LogSubsystem.Totem).Information("The network interface [{Address:l}] is now up.", socket.LocalEndPoint.Address.ToString());
            return socket;
        }
        catch
        {
            seal?.Dispose();
            throw;
        }
    }
}
