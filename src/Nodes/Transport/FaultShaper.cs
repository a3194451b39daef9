using Totem.Nodes.Control;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Transport;

/// <summary>
/// The in-node fault injection behind `totemctl fault ...`: the operator's delay, jitter and loss,
/// for all peers or per peer, applied to every outgoing datagram. Settings are swapped atomically.
/// </summary>
public sealed class FaultShaper : IOutboundShaper
{
    private readonly Func<double> _random;
    private readonly object _randomGate = new();
    private FaultSettings _settings = FaultSettings.None;

    /// <param name="random">Uniform draws in [0,1): the simulation's seeded random, or a thread-safe one in production.</param>
    public FaultShaper(Func<double> random) => _random = random;

    public FaultSettings Settings
    {
        get => Volatile.Read(ref _settings);
        set => Volatile.Write(ref _settings, value ?? throw new ArgumentNullException(nameof(value)));
    }

    public TimeSpan? Decide(NodeId destination)
    {
        var settings = Settings;
        if (settings.IsNone) return TimeSpan.Zero;
        return Decide(settings.For(destination));
    }

    /// <summary>The fate of a datagram on knet link <paramref name="link"/> at this node, sent or received: its link fault only.</summary>
    public TimeSpan? DecideOnLink(uint link)
    {
        var settings = Settings;
        if (settings.Links.Count == 0) return TimeSpan.Zero;
        return Decide(settings.ForLink(link));
    }

    /// <summary>
    /// The shaper of link <paramref name="link"/>'s socket: the peer's fault and the link's, one after the other
    /// (dropped by either is dropped; the delays add up).
    /// </summary>
    public IOutboundShaper ForLink(uint link) => new OnLink(this, link);

    private TimeSpan? Decide(LinkFault fault)
    {
        if (fault.IsNone) return TimeSpan.Zero;
        double lossDraw, jitterDraw;
        lock (_randomGate)
        {
            lossDraw = _random();
            jitterDraw = _random();
        }
        return fault.Decide(lossDraw, jitterDraw);
    }

    private sealed class OnLink(FaultShaper faults, uint link) : IOutboundShaper
    {
        public TimeSpan? Decide(NodeId destination) =>
            faults.Decide(destination) is { } peerDelay && faults.DecideOnLink(link) is { } linkDelay ? peerDelay + linkDelay : null;
    }
}
