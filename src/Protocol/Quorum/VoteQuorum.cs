using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Quorum;

/// <summary>
/// votequorum (corosync's exec/votequorum.c) as a pure state machine: membership changes, node-info and
/// reconfigure messages delivered by the ring, the last-man-standing timer and operator commands come in
/// through <see cref="Handle"/> with the current time; messages to multicast, timer requests, quorum views
/// and log lines come out. Quorum devices and expected_votes_tracking (which corosync turns on with allow_downscale:
/// its barrier kept on disk across restarts) are not implemented.
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
    private readonly bool _allowDownscale;
    // votequorum's ev_barrier: the expected votes of the configuration, or of the operator's last `expected`. A clean
    // leave under allow_downscale lowers expected votes to the members left, never below it.
    private uint _expectedVotesBarrier;
    // This node announced its leave (votequorum_exec_exit_fn) and waits for its node-info to come back through the ring.
    private bool _leaveAnnounced;
    private readonly ValueList<NodeId> _autoTieBreakerNodes;
    // The nodes of the whole cluster that auto_tie_breaker chooses its node from: the configured nodelist (and any
    // node that joins from outside it), or, once last_man_standing has shrunk expected votes, the members it counted.
    private readonly SortedSet<NodeId> _tieBreakerCluster = new();
    // votequorum's lowest_node_id stays unset until this node first computes a quorate verdict: until then the
    // tie-breaker never grants quorum (an even half that booted apart from the rest stays inquorate, as in corosync).
    private bool _everQuorate;

    private uint _quorum;
    // votequorum's cluster_is_quorate: recalculated on every node-info, also half-way through a sync.
    private bool _clusterIsQuorate;
    // What quorum_api_set_quorum last announced (the "primary component" log lines).
    private bool _primaryDesignated;
    // The verdict the node acts on and reports (watchdog, tools, the board, the safety monitor). votequorum.c
    // recalculates cluster_is_quorate on every node-info, half-way through a sync too, but tells the rest of
    // corosync only from votequorum_sync_activate, which sync.c calls once the barrier of every member of this
    // ring has arrived, i.e. after every member's node-info of this membership (sent before its barrier) is in.
    // So a gain of quorum becomes the verdict only through QuorumCallback (end of sync, or a change outside one);
    // a loss lowers it at once, also in a sync: acting on a lost quorum late is what splits the brain.
    private bool _verdict;
    private List<NodeId> _quorumMembers = new();
    private List<NodeId> _previousQuorumMembers = new();
    private RingId? _ringId;
    private long? _lastManStandingDeadlineMs;
    private bool _syncInProgress;
    private bool _syncNodeInfoSent;

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
        {
            if (entry.NodeId is { } id && entry.Name is { } name) _names[id] = name;
            // auto_tie_breaker must know every node of the cluster, also those whose nodeid totem derives from the address.
            if ((entry.NodeId ?? (entry.RingAddress is { } address ? NodeIdDerivation.FromIPv4Address(address) : null)) is { } clusterNode)
                _tieBreakerCluster.Add(clusterNode);
        }
        _tieBreakerCluster.Add(localNodeId);

        var ourEntry = nodelist.FirstOrDefault(e => e.NodeId == localNodeId);
        var nodelistExpected = ourEntry is null ? 0u : (uint)nodelist.Sum(e => (long)e.QuorumVotes);
        var configuredExpected = settings.ExpectedVotes ?? 0;
        if (ourEntry is null && configuredExpected == 0)
            throw new ArgumentException(
                $"configuration error: nodelist or quorum.expected_votes must be configured! (node {localNodeId} is not in the nodelist and quorum.expected_votes is not set)",
                nameof(nodelist));

        _us.Votes = ourEntry?.QuorumVotes ?? 1;
        _us.ExpectedVotes = configuredExpected != 0 ? configuredExpected : nodelistExpected;
        _expectedVotesBarrier = _us.ExpectedVotes;
        _allowDownscale = settings.AllowDownscale;

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

    /// <summary>
    /// The verdict the node acts on: it becomes quorate only over node-info synchronized with every member of the
    /// membership (at the end of its sync), and stops being quorate as soon as the calculation says so.
    /// </summary>
    public bool Quorate => _verdict;

    public IReadOnlyList<QuorumOutput> Handle(QuorumInput input, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(input);
        switch (input)
        {
            case MembershipChanged m: OnMembershipChanged(m, nowMs); break;
            case SyncProcess: OnSyncProcess(); break;
            case SyncActivate: ActivateSync(); break;
            case SyncAbort: break; // votequorum_sync_abort does nothing: the next sync_init starts over.
            case NodeInfoReceived n: OnNodeInfo(n); break;
            case ReconfigureReceived r: OnReconfigure(r.Reconfigure); break;
            case LastManStandingTimerExpired: OnLastManStandingTimer(nowMs); break;
            case SetExpectedVotes s: OnSetExpectedVotes(s); break;
            case SetVotes v: OnSetVotes(v); break;
            case AnnounceLeaving a: OnAnnounceLeaving(a); break;
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
            if (_verdict) flags |= QuorumFlags.Quorate;
            if (_waitForAll) flags |= QuorumFlags.WaitForAll;
            if (_lastManStanding) flags |= QuorumFlags.LastManStanding;
            if (_autoTieBreaker != AutoTieBreakerMode.Off) flags |= QuorumFlags.AutoTieBreaker;
            if (_allowDownscale) flags |= QuorumFlags.AllowDownscale;
            return new QuorumStatus(
                _local, _ringId, _verdict, _us.Votes, _us.ExpectedVotes,
                members.Count == 0 ? 0 : members.Max(n => n.ExpectedVotes),
                (uint)members.Sum(n => (long)n.Votes), _quorum, flags, _waitForAll && _waitForAllStatus,
                _lastManStandingDeadlineMs, _quorumMembers.ToValueList(),
                _nodes.Values.Select(n => new QuorumNodeStatus(n.Id, _names.GetValueOrDefault(n.Id), n.State, n.Votes, n.ExpectedVotes, n.Flags)).ToValueList(),
                _expectedVotesBarrier);
        }
    }

    // votequorum_sync_init: mark the departed dead, maybe start the LMS window. The node-info goes out in the
    // process phase, and the view is handed out when sync.c activates the service (every member's barrier is in).
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
        _syncNodeInfoSent = false;
        if (members.Count > 1) _us.Flags &= ~NodeInfoFlags.First;

        foreach (var gone in left)
            if (_nodes.TryGetValue(gone, out var node)) node.State = QuorumNodeState.Dead;

        if (_lastManStanding &&
            ((members.Count >= _quorum && left.Count > 0) ||
             (members.Count <= _quorum && _autoTieBreaker != AutoTieBreakerMode.Off && TieBreakerNode() is { } tieBreaker && IsMember(tieBreaker))))
        {
            _lastManStandingDeadlineMs = nowMs + _lastManStandingWindowMs;
            _outputs.Add(new StartLastManStandingTimer(_lastManStandingWindowMs, _lastManStandingDeadlineMs.Value));
        }

        _previousQuorumMembers = _quorumMembers;
        _quorumMembers = members;
        _ringId = change.RingId;

        // Corosync keeps the old verdict until the sync activates votequorum. When members left, that
        // window would let a minority still call itself quorate while the majority already is: decide the
        // loss at once (it can only lower quorum's verdict); gaining quorum still waits for the exchange.
        if (left.Count > 0 && _clusterIsQuorate)
            RecalculateQuorum(allowDecrease: false, byCurrentNodes: false);
    }

    // votequorum_sync_process: tell the new ring about ourselves, once per sync.
    private void OnSyncProcess()
    {
        if (!_syncInProgress || _syncNodeInfoSent) return;
        _syncNodeInfoSent = true;
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
        var expectedBefore = _us.ExpectedVotes;
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

        if (node.State == QuorumNodeState.Leaving && oldState != QuorumNodeState.Leaving)
            LogLeaving(node.Id, info.Flags, expectedBefore);
        if (node.Id == _local && _leaveAnnounced && node.State == QuorumNodeState.Leaving)
        {
            _leaveAnnounced = false;
            _outputs.Add(new LeavingAnnounced());
        }

        // Joining a quorate partition that has stopped waiting releases our own wait.
        if (_waitForAll && !info.Flags.HasFlag(NodeInfoFlags.WaitForAllStatus) && info.Flags.HasFlag(NodeInfoFlags.Quorate))
            SetWaitForAllStatus(false);
    }

    // votequorum_sync_activate: every member's barrier, and so every member's node-info of this membership, is in.
    private void ActivateSync()
    {
        if (!_syncInProgress) return;
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
                // update_ev_barrier: the operator's value is the new floor of allow_downscale.
                _expectedVotesBarrier = reconfigure.Value;
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
        if (!_clusterIsQuorate) return;
        RecalculateQuorum(allowDecrease: true, byCurrentNodes: true);
        // Expected votes now count only the members: they are the cluster whose even split the tie-breaker decides
        // (how last_man_standing with auto_tie_breaker goes down to one node when the configured tie-breaker is gone).
        _tieBreakerCluster.Clear();
        _tieBreakerCluster.UnionWith(Members().Select(n => n.Id));
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

    // votequorum_exec_exit_fn: only allow_downscale announces a leave; the node-info travels the ring like any other.
    private void OnAnnounceLeaving(AnnounceLeaving command)
    {
        if (!_allowDownscale)
        {
            _outputs.Add(new CommandResult(command, false, "allow_downscale is not set: a leave is not announced"));
            return;
        }
        _us.Flags |= NodeInfoFlags.Leaving;
        _leaveAnnounced = true;
        Log(QuorumLogLevel.Notice, "Leaving the cluster: telling the other nodes (allow_downscale)");
        _outputs.Add(new MulticastNodeInfo(OurNodeInfo()));
        _outputs.Add(new CommandResult(command, true, "leaving node-info sent to the cluster"));
    }

    // decode_flags' line (corosync logs it at debug for every node-info), then what the leave did to expected votes,
    // which corosync does not log: an admin who scales down greps for it.
    private void LogLeaving(NodeId node, NodeInfoFlags flags, uint expectedBefore)
    {
        static string YesNo(bool b) => b ? "Yes" : "No";
        Log(QuorumLogLevel.Debug,
            "flags: quorate: {Quorate} Leaving: {Leaving} WFA Status: {WfaStatus} First: {First} Qdevice: No QdeviceAlive: No QdeviceCastVote: No QdeviceMasterWins: No",
            YesNo(flags.HasFlag(NodeInfoFlags.Quorate)), YesNo(flags.HasFlag(NodeInfoFlags.Leaving)),
            YesNo(flags.HasFlag(NodeInfoFlags.WaitForAllStatus)), YesNo(flags.HasFlag(NodeInfoFlags.First)));
        if (node == _local) return;
        if (_us.ExpectedVotes < expectedBefore)
            Log(QuorumLogLevel.Notice, "Node {NodeId} is leaving the cluster: expected votes lowered from {OldExpected} to {ExpectedVotes}, quorum {Quorum} (allow_downscale)",
                node, expectedBefore, _us.ExpectedVotes, _quorum);
        else
            Log(QuorumLogLevel.Notice, "Node {NodeId} is leaving the cluster: expected votes stay {ExpectedVotes}, quorum {Quorum} (not below quorum.expected_votes {Barrier})",
                node, _us.ExpectedVotes, _quorum, _expectedVotesBarrier);
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
        // A member from outside the nodelist (or back after last_man_standing shrank the cluster) is a cluster node.
        _tieBreakerCluster.UnionWith(Members().Select(n => n.Id));

        // calculate_quorum under allow_downscale: a decrease to the members present stops at the barrier. Corosync
        // floors only the quorum and still sets the members' expected votes to the bare count (expected 4 with quorum
        // 3 of a barrier of 5); here both stop at the barrier, as votequorum(5) describes the feature, so a later
        // recalculation from those expected votes cannot take quorum under the barrier's majority.
        var maxExpected = _allowDownscale && allowDecrease && currentNodes > 0 ? Math.Max(_expectedVotesBarrier, currentNodes) : currentNodes;
        (_quorum, totalVotes) = CalculateQuorum(allowDecrease, maxExpected);
        SetMembersExpectedVotes(maxExpected);
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
        if (quorate) _everQuorate = true;
        if (!quorate && AutoTieBreakerAllowsQuorum(totalVotes)) quorate = true;

        var changed = quorate != _clusterIsQuorate;
        if (_clusterIsQuorate && !quorate) Log(QuorumLogLevel.Debug, "quorum lost, blocking activity");
        if (!_clusterIsQuorate && quorate) Log(QuorumLogLevel.Debug, "quorum regained, resuming activity");

        _clusterIsQuorate = quorate;
        // A loss is acted on at once, in a sync too; a gain waits for the callback (see _verdict).
        if (!quorate) _verdict = false;
        if (quorate) _us.Flags |= NodeInfoFlags.Quorate;
        else _us.Flags &= ~NodeInfoFlags.Quorate;

        // Losing quorum makes wait_for_all wait again: only all votes, or a quorate node that is not waiting, release it.
        if (_waitForAll) SetWaitForAllStatus(!quorate);

        if (changed && !_syncInProgress) QuorumCallback();
    }

    // check_auto_tie_breaker, with the tie-breaker node taken from the whole cluster. An even split leaves both
    // halves without a majority; auto_tie_breaker lets one of them keep quorum, and that is safe only if every node
    // of every partition names the same tie-breaker node. votequorum.c takes lowest_node_id / highest_node_id from
    // the members of the last quorate membership each node itself saw, so nodes with different histories name
    // different nodes: in seed 20283 node 2, last quorate in [2 3 4], found "its" lowest node 2 in [2 3] while
    // [1 4] held node 1, and both halves were quorate. So the rules, all of which must hold:
    //  * the tie-breaker node is chosen from the configured cluster (the nodelist, see _tieBreakerCluster), never
    //    from a membership: lowest / highest node id there, or the first node of auto_tie_breaker_node's list that
    //    is a cluster node (no falling back past a cluster node: that one may be alive on the other side);
    //  * the partition holds exactly half of expected votes (the lower half when expected is odd, which the
    //    startup check allows only with wait_for_all, so the other side, having lost quorum, waits for all votes):
    //    the other side then has at most the other half, no majority;
    //  * the partition holds the tie-breaker node, which can be in one partition only;
    //  * fewer nodes left since the previous membership than a quorum's worth (votequorum's guard against the
    //    other side being a majority on its own);
    //  * this node has been quorate before (votequorum's lowest_node_id is unset until its first quorate verdict).
    private bool AutoTieBreakerAllowsQuorum(uint totalVotes) =>
        _autoTieBreaker != AutoTieBreakerMode.Off &&
        _everQuorate &&
        totalVotes == _us.ExpectedVotes / 2 &&
        _previousQuorumMembers.Count - _quorumMembers.Count < _quorum &&
        TieBreakerNode() is { } tieBreaker && IsMember(tieBreaker);

    // The node an even split is decided by, the same on every node that has the same configuration.
    private NodeId? TieBreakerNode()
    {
        switch (_autoTieBreaker)
        {
            case AutoTieBreakerMode.Lowest: return _tieBreakerCluster.Min;
            case AutoTieBreakerMode.Highest: return _tieBreakerCluster.Max;
            case AutoTieBreakerMode.List:
                foreach (var listed in _autoTieBreakerNodes)
                    if (_tieBreakerCluster.Contains(listed)) return listed;
                return null;
            default: return null;
        }
    }

    private bool IsMember(NodeId id) => _nodes.TryGetValue(id, out var node) && node.State == QuorumNodeState.Member;

    // quorum_api_set_quorum (vsf_quorum.c): what the rest of corosync and the logs see.
    private void QuorumCallback()
    {
        if (_clusterIsQuorate && !_primaryDesignated)
            Log(QuorumLogLevel.Notice, "This node is within the primary component and will provide service.");
        else if (!_clusterIsQuorate && _primaryDesignated)
            Log(QuorumLogLevel.Notice, "This node is within the non-primary component and will NOT provide any services.");
        _primaryDesignated = _clusterIsQuorate;
        _verdict = _clusterIsQuorate;
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
