using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Quorum;

/// <summary>
/// votequorum (corosync's exec/votequorum.c) as a pure state machine: membership changes, node-info and
/// reconfigure messages delivered by the ring, the last-man-standing timer and operator commands come in
/// through <see cref="Handle"/> with the current time; messages to multicast, timer requests, quorum views
/// and log lines come out. Quorum devices, allow_downscale and expected_votes_tracking are not implemented.
/// </summary>
public sealed class VoteQuorum
{
    private sealed class ClusterNode(NodeId id)
    {
        public NodeId Id { get; } = id;
        public QuorumNodeState State { get; set; } = QuorumNodeState.Dead;
        public uint Votes { get; set; }
        public uint ExpectedVotes { get; set; }
        public NodeInfoFlags Flags { get; set; }
    }

    private readonly NodeId _local;
    private readonly SortedDictionary<NodeId, ClusterNode> _nodes = new();
    private readonly ClusterNode _us;
    private readonly Dictionary<NodeId, string> _names = new();
    private readonly List<QuorumOutput> _outputs = new();

    private bool _twoNode;
    private readonly bool _waitForAll;
    private bool _waitForAllStatus;
    private bool _lastManStanding;
    private readonly uint _lastManStandingWindowMs;
    private readonly AutoTieBreakerMode _autoTieBreaker;
    private readonly ValueList<NodeId> _autoTieBreakerNodes;
    private NodeId? _lowestNodeId;
    private NodeId? _highestNodeId;

    private uint _quorum;
    private bool _clusterIsQuorate;
    private bool _primaryDesignated;
    private List<NodeId> _quorumMembers = new();
    private List<NodeId> _previousQuorumMembers = new();
    private RingId? _ringId;
    private long? _lastManStandingDeadlineMs;
    private bool _syncInProgress;
    private readonly HashSet<NodeId> _syncAwaitingNodeInfo = new();

    /// <summary>
    /// Reads the configuration as votequorum_readconfig does at startup and computes the first quorum.
    /// Throws <see cref="ArgumentException"/> for the configurations corosync refuses to start with.
    /// </summary>
    public VoteQuorum(NodeId localNodeId, QuorumSettings settings, IReadOnlyList<NodeEntry> nodelist)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(nodelist);
        if (settings.Provider != QuorumSettings.Default.Provider)
            throw new ArgumentException($"quorum.provider '{settings.Provider}' is not supported: only {QuorumSettings.Default.Provider} is", nameof(settings));

        _local = localNodeId;
        _us = Allocate(localNodeId);
        _us.State = QuorumNodeState.Member;
        _us.Flags = NodeInfoFlags.First;
        foreach (var entry in nodelist)
            if (entry.NodeId is { } id && entry.Name is { } name) _names[id] = name;

        var ourEntry = nodelist.FirstOrDefault(e => e.NodeId == localNodeId);
        var nodelistExpected = ourEntry is null ? 0u : (uint)nodelist.Sum(e => (long)e.QuorumVotes);
        var configuredExpected = settings.ExpectedVotes ?? 0;
        if (ourEntry is null && configuredExpected == 0)
            throw new ArgumentException(
                $"configuration error: nodelist or quorum.expected_votes must be configured! (node {localNodeId} is not in the nodelist and quorum.expected_votes is not set)",
                nameof(nodelist));

        _us.Votes = ourEntry?.QuorumVotes ?? 1;
        _us.ExpectedVotes = configuredExpected != 0 ? configuredExpected : nodelistExpected;

        _twoNode = settings.TwoNode;
        // wait_for_all follows two_node unless set explicitly, decided before two_node may be switched off below.
        _waitForAll = settings.WaitForAll ?? settings.TwoNode;
        _lastManStanding = settings.LastManStanding;
        _lastManStandingWindowMs = settings.LastManStandingWindowMs;
        _autoTieBreaker = settings.AutoTieBreaker;
        _autoTieBreakerNodes = settings.AutoTieBreakerNodes;

        if (_autoTieBreaker == AutoTieBreakerMode.List && _autoTieBreakerNodes.Count == 0)
        {
            Log(QuorumLogLevel.Warning, "auto_tie_breaker_nodes is not valid. It must be 'lowest', 'highest' or a space-separated list of node IDs. auto_tie_breaker is disabled");
            _autoTieBreaker = AutoTieBreakerMode.Off;
        }
        if (_twoNode && _autoTieBreaker != AutoTieBreakerMode.Off)
        {
            Log(QuorumLogLevel.Critical, "two_node and auto_tie_breaker are both specified but are not compatible.");
            Log(QuorumLogLevel.Critical, "two_node has been disabled, please fix your corosync.conf");
            _twoNode = false;
        }
        // An odd-sized cluster split in half+1 without the tie-breaker node must not become quorate after a reboot.
        if (_autoTieBreaker != AutoTieBreakerMode.Off && nodelistExpected % 2 == 1 && !_waitForAll)
        {
            if (_lastManStanding)
                throw new ArgumentException(
                    "configuration error: auto_tie_breaker & last_man_standing not available in odd sized cluster (disable last_man_standing or enable wait_for_all)",
                    nameof(settings));
            Log(QuorumLogLevel.Critical, "auto_tie_breaker is set and the cluster has an odd number of nodes.");
            Log(QuorumLogLevel.Critical, "wait_for_all needs to be set for this configuration but it is missing");
            Log(QuorumLogLevel.Critical, "Therefore auto_tie_breaker has been disabled. Please fix your corosync.conf");
            _autoTieBreaker = AutoTieBreakerMode.Off;
        }
        if (_waitForAll) SetWaitForAllStatus(true);

        RecalculateQuorum(allowDecrease: false, byCurrentNodes: false);
        StartupOutputs = TakeOutputs();
    }

    /// <summary>What the configuration and the first calculation produced (warnings about the configuration, a first quorum view).</summary>
    public IReadOnlyList<QuorumOutput> StartupOutputs { get; }

    public bool Quorate => _clusterIsQuorate;

    public IReadOnlyList<QuorumOutput> Handle(QuorumInput input, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(input);
        switch (input)
        {
            case MembershipChanged m: OnMembershipChanged(m, nowMs); break;
            case NodeInfoReceived n: OnNodeInfo(n); break;
            case ReconfigureReceived r: OnReconfigure(r.Reconfigure); break;
            case LastManStandingTimerExpired: OnLastManStandingTimer(nowMs); break;
            case SetExpectedVotes s: OnSetExpectedVotes(s); break;
            case SetVotes v: OnSetVotes(v); break;
            case CancelWaitForAll c:
                _outputs.Add(new MulticastReconfigure(new Reconfigure(_local, ReconfigureParam.CancelWaitForAll, 0)));
                _outputs.Add(new CommandResult(c, true, "wait_for_all cancel sent to the cluster"));
                break;
            default: throw new ArgumentException($"unknown quorum input {input.GetType().Name}", nameof(input));
        }
        return TakeOutputs();
    }

    public QuorumStatus Status
    {
        get
        {
            var members = Members().ToList();
            var flags = QuorumFlags.None;
            if (_twoNode) flags |= QuorumFlags.TwoNode;
            if (_clusterIsQuorate) flags |= QuorumFlags.Quorate;
            if (_waitForAll) flags |= QuorumFlags.WaitForAll;
            if (_lastManStanding) flags |= QuorumFlags.LastManStanding;
            if (_autoTieBreaker != AutoTieBreakerMode.Off) flags |= QuorumFlags.AutoTieBreaker;
            return new QuorumStatus(
                _local, _ringId, _clusterIsQuorate, _us.Votes, _us.ExpectedVotes,
                members.Count == 0 ? 0 : members.Max(n => n.ExpectedVotes),
                (uint)members.Sum(n => (long)n.Votes), _quorum, flags, _waitForAll && _waitForAllStatus,
                _lastManStandingDeadlineMs, _quorumMembers.ToValueList(),
                _nodes.Values.Select(n => new QuorumNodeStatus(n.Id, _names.GetValueOrDefault(n.Id), n.State, n.Votes, n.ExpectedVotes, n.Flags)).ToValueList());
        }
    }

    // votequorum_sync_init followed by votequorum_sync_process: mark the departed dead, maybe start the LMS
    // window, and tell the new ring about ourselves. The view is handed out once every member's node-info is in.
    private void OnMembershipChanged(MembershipChanged change, long nowMs)
    {
        var members = change.Members.Distinct().OrderBy(n => n).ToList();
        if (!members.Contains(_local))
            throw new ArgumentException($"membership {change.RingId} does not include the local node {_local}", nameof(change));

        var joined = members.Where(n => !_quorumMembers.Contains(n)).ToList();
        var left = _quorumMembers.Where(n => !members.Contains(n)).ToList();
        LogViewList("Sync members", members);
        if (joined.Count > 0) LogViewList("Sync joined", joined);
        if (left.Count > 0) LogViewList("Sync left", left);

        _syncInProgress = true;
        if (members.Count > 1) _us.Flags &= ~NodeInfoFlags.First;

        foreach (var gone in left)
            if (_nodes.TryGetValue(gone, out var node)) node.State = QuorumNodeState.Dead;

        if (_lastManStanding &&
            ((members.Count >= _quorum && left.Count > 0) ||
             (members.Count <= _quorum && _autoTieBreaker != AutoTieBreakerMode.Off && LowestNodeIdIsMember())))
        {
            _lastManStandingDeadlineMs = nowMs + _lastManStandingWindowMs;
            _outputs.Add(new StartLastManStandingTimer(_lastManStandingWindowMs, _lastManStandingDeadlineMs.Value));
        }

        _previousQuorumMembers = _quorumMembers;
        _quorumMembers = members;
        _ringId = change.RingId;

        // Corosync keeps the old verdict until the node-info exchange completes. When members left, that
        // window would let a minority still call itself quorate while the majority already is: decide the
        // loss at once (it can only lower quorum's verdict); gaining quorum still waits for the exchange.
        if (left.Count > 0 && _clusterIsQuorate)
            RecalculateQuorum(allowDecrease: false, byCurrentNodes: false);

        _syncAwaitingNodeInfo.Clear();
        _syncAwaitingNodeInfo.UnionWith(members);
        _outputs.Add(new MulticastNodeInfo(OurNodeInfo()));
    }

    // message_handler_req_exec_votequorum_nodeinfo
    private void OnNodeInfo(NodeInfoReceived received)
    {
        var info = received.Info;
        if (info.NodeId != received.Sender)
        {
            Log(QuorumLogLevel.Warning, "Ignoring nodeinfo message from node {Sender} that describes node {NodeId}", received.Sender, info.NodeId);
            return;
        }

        var isNew = !_nodes.TryGetValue(info.NodeId, out var node);
        node ??= Allocate(info.NodeId);
        var (oldVotes, oldExpected, oldFlags, oldState) = isNew
            ? (0u, 0u, NodeInfoFlags.None, QuorumNodeState.Dead)
            : (node.Votes, node.ExpectedVotes, node.Flags, node.State);

        var allowDowngrade = false;
        var byNode = false;
        node.Flags = info.Flags;
        node.Votes = info.Votes;
        node.State = QuorumNodeState.Member;
        if (info.Flags.HasFlag(NodeInfoFlags.Leaving))
        {
            node.State = QuorumNodeState.Leaving;
            allowDowngrade = true;
            byNode = true;
        }
        // A partition without quorum adopts the expected votes of a quorate member (how a lowered
        // last-man-standing expectation reaches nodes that rejoin).
        if (!_clusterIsQuorate && info.Flags.HasFlag(NodeInfoFlags.Quorate))
        {
            allowDowngrade = true;
            _us.ExpectedVotes = info.ExpectedVotes;
        }
        node.ExpectedVotes = info.Flags.HasFlag(NodeInfoFlags.Quorate) ? info.ExpectedVotes : _us.ExpectedVotes;

        if (_lastManStanding && node.Votes > 1)
        {
            Log(QuorumLogLevel.Warning, "Last Man Standing feature is supported only when all cluster nodes votes are set to 1. Disabling LMS.");
            _lastManStanding = false;
            if (_lastManStandingDeadlineMs is not null)
            {
                _lastManStandingDeadlineMs = null;
                _outputs.Add(new StopLastManStandingTimer());
            }
        }

        if (isNew || node.Id == _local || node.Flags.HasFlag(NodeInfoFlags.First) ||
            oldVotes != node.Votes || oldExpected != node.ExpectedVotes || oldFlags != node.Flags || oldState != node.State)
            RecalculateQuorum(allowDowngrade, byNode);

        // Joining a quorate partition that has stopped waiting releases our own wait.
        if (_waitForAll && !info.Flags.HasFlag(NodeInfoFlags.WaitForAllStatus) && info.Flags.HasFlag(NodeInfoFlags.Quorate))
            SetWaitForAllStatus(false);

        if (_syncInProgress && _syncAwaitingNodeInfo.Remove(received.Sender) && _syncAwaitingNodeInfo.Count == 0)
            ActivateSync();
    }

    // votequorum_sync_activate: the node-info exchange of this membership is complete.
    private void ActivateSync()
    {
        RecalculateQuorum(allowDecrease: false, byCurrentNodes: false);
        QuorumCallback();
        _syncInProgress = false;
    }

    // message_handler_req_exec_votequorum_reconfigure
    private void OnReconfigure(Reconfigure reconfigure)
    {
        switch (reconfigure.Param)
        {
            case ReconfigureParam.ExpectedVotes:
                Log(QuorumLogLevel.Notice, "Expected votes set to {ExpectedVotes} by node {NodeId}", reconfigure.Value, reconfigure.NodeId);
                SetMembersExpectedVotes(reconfigure.Value);
                RecalculateQuorum(allowDecrease: true, byCurrentNodes: false);
                break;
            case ReconfigureParam.NodeVotes:
                if (!_nodes.TryGetValue(reconfigure.NodeId, out var node)) return;
                Log(QuorumLogLevel.Notice, "Votes of node {NodeId} set to {Votes}", reconfigure.NodeId, reconfigure.Value);
                node.Votes = reconfigure.Value;
                RecalculateQuorum(allowDecrease: true, byCurrentNodes: false);
                break;
            case ReconfigureParam.CancelWaitForAll:
                SetWaitForAllStatus(false);
                Log(QuorumLogLevel.Information, "wait_for_all_status reset by user on node {NodeId}.", reconfigure.NodeId);
                RecalculateQuorum(allowDecrease: false, byCurrentNodes: false);
                break;
            default:
                Log(QuorumLogLevel.Warning, "Ignoring reconfigure message with unknown parameter {Param} from node {NodeId}", (byte)reconfigure.Param, reconfigure.NodeId);
                break;
        }
    }

    // votequorum_last_man_standing_timer_fn: with a quorate, stable membership, expected votes follow the members.
    private void OnLastManStandingTimer(long nowMs)
    {
        if (_lastManStandingDeadlineMs is not { } deadline) return;
        // A real timer may fire a little before the deadline (whole milliseconds of another clock): wait out the rest.
        if (nowMs < deadline)
        {
            _outputs.Add(new StartLastManStandingTimer((uint)(deadline - nowMs), deadline));
            return;
        }
        _lastManStandingDeadlineMs = null;
        if (_clusterIsQuorate) RecalculateQuorum(allowDecrease: true, byCurrentNodes: true);
    }

    // message_handler_req_lib_votequorum_setexpected
    private void OnSetExpectedVotes(SetExpectedVotes command)
    {
        var expected = command.ExpectedVotes;
        if (expected == 0)
        {
            _outputs.Add(new CommandResult(command, false, "expected votes must be at least 1"));
            return;
        }
        var (newQuorum, totalVotes) = CalculateQuorum(allowDecrease: true, maxExpected: expected);
        if (expected < totalVotes)
        {
            _outputs.Add(new CommandResult(command, false,
                $"expected votes {expected} is below the {totalVotes} votes of the current members"));
            return;
        }
        if (_clusterIsQuorate && newQuorum > totalVotes)
        {
            _outputs.Add(new CommandResult(command, false,
                $"expected votes {expected} needs quorum {newQuorum} but the current members have {totalVotes} votes: the cluster would lose quorum"));
            return;
        }
        SetMembersExpectedVotes(expected);
        _outputs.Add(new MulticastReconfigure(new Reconfigure(_local, ReconfigureParam.ExpectedVotes, expected)));
        _outputs.Add(new CommandResult(command, true, $"expected votes {expected} sent to the cluster"));
    }

    // message_handler_req_lib_votequorum_setvotes
    private void OnSetVotes(SetVotes command)
    {
        if (!_nodes.TryGetValue(command.NodeId, out var node))
        {
            _outputs.Add(new CommandResult(command, false, $"node {command.NodeId} is not known to votequorum"));
            return;
        }
        var savedVotes = node.Votes;
        node.Votes = command.Votes;
        var (newQuorum, totalVotes) = CalculateQuorum(allowDecrease: true, maxExpected: 0);
        node.Votes = savedVotes;
        if (newQuorum < totalVotes / 2 || newQuorum > totalVotes)
        {
            _outputs.Add(new CommandResult(command, false,
                $"{command.Votes} votes for node {command.NodeId} gives quorum {newQuorum} with {totalVotes} member votes, outside {totalVotes / 2}..{totalVotes}"));
            return;
        }
        _outputs.Add(new MulticastReconfigure(new Reconfigure(command.NodeId, ReconfigureParam.NodeVotes, command.Votes)));
        _outputs.Add(new CommandResult(command, true, $"{command.Votes} votes for node {command.NodeId} sent to the cluster"));
    }

    // recalculate_quorum: keep expected at least the votes present, recompute quorum, decide.
    private void RecalculateQuorum(bool allowDecrease, bool byCurrentNodes)
    {
        var totalVotes = (uint)Members().Sum(n => (long)n.Votes);
        var currentNodes = byCurrentNodes ? (uint)Members().Count() : 0u;
        if (totalVotes > _us.ExpectedVotes)
            _us.ExpectedVotes = totalVotes;

        (_quorum, totalVotes) = CalculateQuorum(allowDecrease, currentNodes);
        SetMembersExpectedVotes(currentNodes);
        AreWeQuorate(totalVotes);
    }

    // calculate_quorum: the majority of the highest expected votes (or of maxExpected when given) and of the
    // votes present, whichever is larger; never lower than before unless allowed; 1 for a two_node pair.
    private (uint Quorum, uint TotalVotes) CalculateQuorum(bool allowDecrease, uint maxExpected)
    {
        uint totalVotes = 0, highestExpected = 0, totalNodes = 0;
        foreach (var node in Members())
        {
            highestExpected = Math.Max(highestExpected, node.ExpectedVotes);
            totalVotes += node.Votes;
            totalNodes++;
        }
        if (maxExpected > 0) highestExpected = maxExpected;

        var quorum = Math.Max(QuorumMath.MajorityOf(highestExpected), QuorumMath.MajorityOf(totalVotes));
        if (!allowDecrease) quorum = Math.Max(_quorum, quorum);
        // With more than two nodes present two_node stops applying, so a third node cannot make a 1-vote quorum.
        if (_twoNode && totalNodes <= 2) quorum = 1;
        return (quorum, totalVotes);
    }

    // are_we_quorate
    private void AreWeQuorate(uint totalVotes)
    {
        if (_waitForAll && _waitForAllStatus)
        {
            if (totalVotes != _us.ExpectedVotes)
            {
                Log(QuorumLogLevel.Notice, "Waiting for all cluster members. Current votes: {TotalVotes} expected_votes: {ExpectedVotes}",
                    totalVotes, _us.ExpectedVotes);
                return;
            }
            SetWaitForAllStatus(false);
        }

        var quorate = _quorum <= totalVotes;
        if (quorate)
        {
            _lowestNodeId = Members().Min(n => n.Id);
            _highestNodeId = Members().Max(n => n.Id);
        }

        if (_autoTieBreaker != AutoTieBreakerMode.Off &&
            totalVotes == _us.ExpectedVotes / 2 &&
            // The other half might be quorate if more nodes left than a quorum's worth.
            _previousQuorumMembers.Count - _quorumMembers.Count < _quorum &&
            AutoTieBreakerAllowsQuorum())
            quorate = true;

        var changed = quorate != _clusterIsQuorate;
        if (_clusterIsQuorate && !quorate) Log(QuorumLogLevel.Debug, "quorum lost, blocking activity");
        if (!_clusterIsQuorate && quorate) Log(QuorumLogLevel.Debug, "quorum regained, resuming activity");

        _clusterIsQuorate = quorate;
        if (quorate) _us.Flags |= NodeInfoFlags.Quorate;
        else _us.Flags &= ~NodeInfoFlags.Quorate;

        // Losing quorum makes wait_for_all wait again: only all votes, or a quorate node that is not waiting, release it.
        if (_waitForAll) SetWaitForAllStatus(!quorate);

        if (changed && !_syncInProgress) QuorumCallback();
    }

    // check_auto_tie_breaker
    private bool AutoTieBreakerAllowsQuorum()
    {
        switch (_autoTieBreaker)
        {
            case AutoTieBreakerMode.Lowest: return LowestNodeIdIsMember();
            case AutoTieBreakerMode.Highest: return _highestNodeId is { } highest && IsMember(highest);
            default:
                // The first listed node present here decides, unless a node listed before it was with us before
                // the split: that one may be alive in the other half, which then holds the tie-breaker.
                for (var i = 0; i < _autoTieBreakerNodes.Count; i++)
                {
                    if (!_quorumMembers.Contains(_autoTieBreakerNodes[i])) continue;
                    for (var j = 0; j < i; j++)
                        if (_previousQuorumMembers.Contains(_autoTieBreakerNodes[j])) return false;
                    return true;
                }
                return false;
        }
    }

    private bool LowestNodeIdIsMember() => _lowestNodeId is { } lowest && IsMember(lowest);

    private bool IsMember(NodeId id) => _nodes.TryGetValue(id, out var node) && node.State == QuorumNodeState.Member;

    // quorum_api_set_quorum (vsf_quorum.c): what the rest of corosync and the logs see.
    private void QuorumCallback()
    {
        if (_clusterIsQuorate && !_primaryDesignated)
            Log(QuorumLogLevel.Notice, "This node is within the primary component and will provide service.");
        else if (!_clusterIsQuorate && _primaryDesignated)
            Log(QuorumLogLevel.Notice, "This node is within the non-primary component and will NOT provide any services.");
        _primaryDesignated = _clusterIsQuorate;
        LogViewList("Members", _quorumMembers);
        _outputs.Add(new QuorumChanged(_clusterIsQuorate, _ringId, _quorumMembers.ToValueList(),
            (uint)Members().Sum(n => (long)n.Votes), _us.ExpectedVotes, _quorum));
    }

    private void SetMembersExpectedVotes(uint expectedVotes)
    {
        if (expectedVotes == 0) return;
        foreach (var node in Members()) node.ExpectedVotes = expectedVotes;
    }

    private void SetWaitForAllStatus(bool waiting)
    {
        _waitForAllStatus = waiting;
        if (waiting) _us.Flags |= NodeInfoFlags.WaitForAllStatus;
        else _us.Flags &= ~NodeInfoFlags.WaitForAllStatus;
    }

    private IEnumerable<ClusterNode> Members() => _nodes.Values.Where(n => n.State == QuorumNodeState.Member);

    private NodeInfo OurNodeInfo() => new(_local, _us.Votes, _us.ExpectedVotes, _us.Flags);

    private ClusterNode Allocate(NodeId id)
    {
        var node = new ClusterNode(id);
        _nodes[id] = node;
        return node;
    }

    private void LogViewList(string kind, IReadOnlyCollection<NodeId> nodes) =>
        Log(QuorumLogLevel.Notice, kind + "[{Count}]: {Members}", nodes.Count, string.Join(" ", nodes));

    private void Log(QuorumLogLevel level, string template, params object?[] args) =>
        _outputs.Add(new QuorumLog(level, template, args));

    private List<QuorumOutput> TakeOutputs()
    {
        var taken = _outputs.ToList();
        _outputs.Clear();
        return taken;
    }
}
