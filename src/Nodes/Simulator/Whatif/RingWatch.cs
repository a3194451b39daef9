using Totem.Protocol.Srp;
using Totem.Protocol.Whatif;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator.Whatif;

/// <summary>
/// What a what-if run reads off the engines as they run: every gap between two armings of a node's token-loss timer in
/// one ring (the engine re-arms it on each token it takes, so a gap is a token rotation as that node saw it, and the
/// timer fires when a gap reaches the effective token; those a stall overlapped are also kept apart, the rest are the
/// network's own), the token losses the engines declared (counted once per ring
/// they broke), and quorum lost by a node (checked a moment after each membership change, once votequorum has had its say).
/// </summary>
public sealed class RingWatch
{
    /// <summary>After a membership change, how long votequorum gets before the quorum check (it decides on the change itself).</summary>
    public static readonly TimeSpan QuorumCheckDelay = TimeSpan.FromSeconds(1);

    private readonly ClusterSimulation _sim;
    private readonly Dictionary<NodeId, TimeSpan> _lastArmed = new();
    private readonly Dictionary<NodeId, RingId> _ring = new();
    private readonly HashSet<RingId> _lostRings = new();
    private readonly Dictionary<NodeId, bool> _quorate = new();
    private bool _checkPending;
    private (TimeSpan From, TimeSpan To) _lastStall = (TimeSpan.MinValue, TimeSpan.MinValue);

    public RingWatch(ClusterSimulation sim)
    {
        ArgumentNullException.ThrowIfNull(sim);
        _sim = sim;
        sim.OnProtocolOutput = Observe;
    }

    public GapHistogram Gaps { get; } = new();

    /// <summary>The gaps no stall overlapped: what the network (latency, jitter, bursts, loss) does to the token.</summary>
    public GapHistogram QuietGaps { get; } = new();

    /// <summary>A stall is injected now for <paramref name="length"/>: gaps overlapping it are the stall's, not the network's.</summary>
    public void Stalled(TimeSpan length) => _lastStall = (_sim.Now, _sim.Now + length);
    public int TokenLosses => _lostRings.Count;
    public int QuorumLosses { get; private set; }

    /// <summary>Starts counting from now: the ring is formed and every node's quorum is as it stands.</summary>
    public void Start()
    {
        Gaps.Clear();
        QuietGaps.Clear();
        _lostRings.Clear();
        QuorumLosses = 0;
        foreach (var id in _sim.NodeIds) _quorate[id] = IsQuorate(id);
    }

    private void Observe(NodeId node, SrpOutput output)
    {
        switch (output)
        {
            case StartTimer { Timer: SrpTimer.TokenLoss }:
                if (_lastArmed.TryGetValue(node, out var last))
                {
                    var gap = (_sim.Now - last).TotalMilliseconds;
                    Gaps.Add(gap);
                    if (last >= _lastStall.To || _sim.Now <= _lastStall.From) QuietGaps.Add(gap);
                }
                _lastArmed[node] = _sim.Now;
                break;
            case TellMembership { Report: TokenLostReport }:
                _lastArmed.Remove(node);
                if (_ring.TryGetValue(node, out var ring)) _lostRings.Add(ring);
                break;
            case ConfigurationChanged { Kind: ConfigurationKind.Regular } change:
                // A new ring starts its rotations afresh: the time spent forming it is no token rotation.
                _lastArmed.Remove(node);
                _ring[node] = change.RingId;
                ScheduleQuorumCheck();
                break;
        }
    }

    private void ScheduleQuorumCheck()
    {
        if (_checkPending) return;
        _checkPending = true;
        _sim.Simulation.Schedule(QuorumCheckDelay, () =>
        {
            _checkPending = false;
            foreach (var id in _sim.NodeIds)
            {
                var now = IsQuorate(id);
                if (_quorate.GetValueOrDefault(id) && !now) QuorumLosses++;
                _quorate[id] = now;
            }
        }, "what-if quorum check");
    }

    private bool IsQuorate(NodeId id) => _sim.IsUp(id) && _sim.Node(id).Board.Status().Quorum.Quorate;
}
