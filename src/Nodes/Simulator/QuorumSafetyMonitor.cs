using Totem.Protocol.Quorum;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator;

/// <summary>
/// Watches a simulation for split brain: at every check point (a fixed period of virtual time) no two
/// quorate nodes may hold disjoint memberships. Memberships are votequorum's own (the members its verdict
/// was computed over), so a node that still reports the quorate verdict of its old ring while another
/// side forms a new one is judged by the ring it was quorate in: two majorities of the same expected
/// votes always intersect, so disjoint quorate memberships mean two primary components at once.
/// </summary>
public sealed class QuorumSafetyMonitor
{
    private readonly ClusterSimulation _simulation;
    private readonly TimeSpan _period;
    private readonly List<string> _violations = new();
    private bool _stopped;

    private QuorumSafetyMonitor(ClusterSimulation simulation, TimeSpan period)
    {
        _simulation = simulation;
        _period = period;
    }

    /// <summary>Starts checking every <paramref name="period"/> of virtual time until <see cref="Stop"/>.</summary>
    public static QuorumSafetyMonitor Attach(ClusterSimulation simulation, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(simulation);
        if (period <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(period), period, "must be positive");
        var monitor = new QuorumSafetyMonitor(simulation, period);
        monitor.ScheduleNext();
        return monitor;
    }

    public IReadOnlyList<string> Violations => _violations;

    public int CheckPoints { get; private set; }

    /// <summary>The highest number of nodes seen quorate at one check point (shows the property was exercised).</summary>
    public int MostQuorateAtOnce { get; private set; }

    public void Stop() => _stopped = true;

    private void ScheduleNext() => _simulation.Simulation.Schedule(_period, () =>
    {
        if (_stopped) return;
        CheckNow();
        ScheduleNext();
    }, "quorum safety check");

    /// <summary>Checks the property at the current virtual instant.</summary>
    public void CheckNow()
    {
        CheckPoints++;
        var quorate = new List<(NodeId Node, HashSet<NodeId> Members)>();
        foreach (var id in _simulation.LiveNodes)
        {
            if (_simulation.Node(id).Board.Quorum is not { Quorate: true } quorum) continue;
            var members = quorum.Nodes.Where(n => n.State == QuorumNodeState.Member).Select(n => n.NodeId).ToHashSet();
            // Judged strictly over the members the verdict stands on now: votequorum decides quorum loss as soon as
            // a membership loses nodes, so a stale quorate verdict over a shrunken membership is a violation too.
            quorate.Add((id, members));
        }
        MostQuorateAtOnce = Math.Max(MostQuorateAtOnce, quorate.Count);
        for (var i = 0; i < quorate.Count; i++)
        {
            for (var j = i + 1; j < quorate.Count; j++)
            {
                var (a, membersA) = quorate[i];
                var (b, membersB) = quorate[j];
                if (membersA.Overlaps(membersB)) continue;
                _violations.Add(
                    $"quorum safety: at {_simulation.Now.TotalMilliseconds:F0} ms node {a} is quorate with members [{string.Join(" ", membersA.Order())}] " +
                    $"and node {b} is quorate with disjoint members [{string.Join(" ", membersB.Order())}]");
            }
        }
    }
}
