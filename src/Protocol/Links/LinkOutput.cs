using Totem.Protocol.Wire;

namespace Totem.Protocol.Links;

/// <summary>What the <see cref="LinkTable"/> asks of its transport, or tells its log.</summary>
public abstract record LinkOutput(NodeId Host, uint Link);

/// <summary>Time to put a ping on <see cref="LinkOutput.Link"/> to the host (knet's heartbeat).</summary>
public sealed record PingDue(NodeId Host, uint Link) : LinkOutput(Host, Link);

/// <summary>The link got its pong count of pongs: it carries traffic again ("link: host: 2 link: 1 is up").</summary>
public sealed record LinkWentUp(NodeId Host, uint Link) : LinkOutput(Host, Link);

/// <summary>No pong within the ping timeout: the link carries nothing until it is up again ("link: host: 2 link: 0 is down").</summary>
public sealed record LinkWentDown(NodeId Host, uint Link) : LinkOutput(Host, Link);

/// <summary>
/// The host's set of up links changed (after a <see cref="LinkWentUp"/> or <see cref="LinkWentDown"/>): the links
/// now up, and in passive mode the one carrying the traffic (<see cref="LinkOutput.Link"/> is that best link, or
/// the link that changed when none is up).
/// </summary>
public sealed record HostLinksChanged(NodeId Host, uint Link, LinkMode Mode, ValueList<uint> UpLinks, uint? BestLink, byte? BestPriority)
    : LinkOutput(Host, Link)
{
    public bool HasActiveLinks => UpLinks.Count > 0;
}
