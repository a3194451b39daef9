using System.Net;
using Serilog;
using Totem.Actors;
using Totem.Nodes.Actors;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes;

/// <summary>
/// One running node: the actors (UdpAdapter, TokenRing, RetransmitTimer, VoteQuorumService,
/// Watchdog) on one actor system, and the facade the host and the simulator use. <see cref="Start"/>
/// is the one way to start a node, for totemd and the simulator alike.
/// </summary>
public sealed class TotemNode : IRunningNode
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);
    private readonly NodeOptions _options;
    private readonly NodeEnvironment _environment;
    private readonly NodeBoard _board;
    private readonly NodeWiring _wiring;
    private readonly TaskCompletionSource<NodeExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _exiting;
    private int _leaving;

    private TotemNode(NodeOptions options, NodeEnvironment environment)
    {
        _options = options;
        _environment = environment;
        _board = new NodeBoard(options, environment.System.TimeProvider);
        _wiring = new NodeWiring { ProtocolOutput = environment.ProtocolOutput, PersistRingSeq = environment.PersistRingSeq };
    }

    public NodeId NodeId => _options.NodeId;
    public NodeBoard Board => _board;
    public ActorSystem System => _environment.System;
    public Task<NodeExit> Exited => _exited.Task;

    public static TotemNode Start(NodeOptions options, NodeEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var node = new TotemNode(options, environment);
        node.Spawn();
        return node;
    }

    /// <summary>A node on real UDP and the thread pool: what totemd runs.</summary>
    public static TotemNode StartUdp(NodeOptions options, IPEndPoint bindTo, PeerTable peers, ILogger logger, Action<NodeExit>? onExit = null, Action<ulong>? persistRingSeq = null)
    {
        var faults = new FaultShaper(Random.Shared.NextDouble);
        var transport = new UdpTransport(options.NodeId, bindTo, peers, faults);
        // corosync's line once its socket is bound; totemd times its start-up phase "socket bound" by it.
        logger.ForContext(LogSubsystem.Property, LogSubsystem.Totem).Information("The network interface [{Address:l}] is now up.", transport.LocalEndPoint.Address.ToString());
        var system = ActorSystem.Create($"node{options.NodeId}", new ActorSystemSettings { Logger = logger });
        return Start(options with { LocalAddress = transport.LocalEndPoint.Address.ToString(), Port = transport.LocalEndPoint.Port },
            new NodeEnvironment(system, transport, logger)
            {
                Faults = faults,
                PeerAddresses = () => peers.Snapshot.ToDictionary(p => p.Key, p => p.Value.ToString()),
                OnExit = onExit,
                PersistRingSeq = persistRingSeq,
            });
    }

    private void Spawn()
    {
        var system = _environment.System;
        var log = _environment.Logger;
        var malformed = new MalformedCounter();
        var activity = new PeerActivity();
        var transport = _environment.Transport;
        _board.AttachLink(
            members => LinkOf(activity, members),
            () => (transport.Counters.Sent, transport.Counters.Received, transport.Counters.DroppedByFault, malformed.Count));

        _wiring.Watchdog = system.ActorOf(Props.Create(() => new Watchdog(_options, _board, Fence, log)), "watchdog");
        _wiring.Quorum = system.ActorOf(Props.Create(() => new VoteQuorumService(_options, _board, _wiring, log)), "votequorum");
        _wiring.Timers = system.ActorOf(Props.Create(() => new RetransmitTimer(_wiring)), "retransmit-timer");
        _wiring.Adapter = system.ActorOf(Props.Create(() => new UdpAdapter(transport, _wiring, log, malformed, activity)), "udp-adapter");
        _wiring.Ring = system.ActorOf(Props.Create(() => new TokenRing(SrpOptionsNow(), _board, _wiring, log)), "ring");
        var adapter = _wiring.Adapter;
        transport.Start(datagram => adapter.Tell(new DatagramArrived(datagram)));
        _wiring.Ring.Tell(new StartRing());
    }

    private SrpOptions SrpOptionsNow() => new(_options.NodeId, _options.Timeouts)
    {
        InitialRingSeq = Math.Max(_options.InitialRingSeq, _board.HighestRingSeq),
    };

    private LinkSnapshot LinkOf(PeerActivity activity, ValueList<NodeId> members)
    {
        var heard = activity.Snapshot();
        var addresses = _environment.PeerAddresses();
        var now = _environment.System.Now.ToUnixTimeMilliseconds();
        var peers = addresses.Keys.Union(heard.Keys).Where(n => n != _options.NodeId).OrderBy(n => n)
            .Select(n =>
            {
                DateTimeOffset? last = heard.TryGetValue(n, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
                var connected = members.Contains(n) || (heard.TryGetValue(n, out var h) && now - h < _options.Timeouts.Token);
                return new PeerLinkStatus(n, addresses.TryGetValue(n, out var a) ? a : "", connected, last);
            })
            .ToValueList();
        return new LinkSnapshot(_options.LocalAddress, _options.Port, peers);
    }

    private void Fence(NodeExit exit) => Exit(exit);

    private void Exit(NodeExit exit)
    {
        if (Interlocked.Exchange(ref _exiting, 1) != 0) return;
        _environment.OnExit?.Invoke(exit);
        _board.CompleteEvents();
        _ = _environment.System.Terminate();
        _environment.Transport.Dispose();
        _exited.TrySetResult(exit);
    }

    public NodeStatusSnapshot GetStatus() => _board.Status();

    public IReadOnlyList<CmapEntry> GetRuntime(string? prefix) => _board.Runtime(prefix);

    public async Task<SubmitResult> SubmitAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (_exiting != 0) return SubmitResult.Refused(SubmitRefusal.Stopping, "the node is stopping");
        if (payload.Length > _options.MaxPayloadBytes)
            return SubmitResult.Refused(SubmitRefusal.TooLarge, $"payload of {payload.Length} bytes is above the limit of {_options.MaxPayloadBytes} bytes");
        return await _wiring.Ring.Ask<SubmitResult>(new SubmitApplicationMessage(payload.ToArray()), CommandTimeout).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queues an application message without waiting for the answer (the simulator's workload).</summary>
    public void Post(byte[] payload) => _wiring.Ring.Tell(new SubmitApplicationMessage(payload));

    public IReadOnlyList<DeliveredApplicationMessage> GetMessages(long from, int max) => _board.Messages(from, max);

    public Task<SetExpectedVotesResult> SetExpectedVotesAsync(uint votes, CancellationToken cancellationToken) =>
        _wiring.Quorum.Ask<SetExpectedVotesResult>(new SetExpectedVotesCommand(votes), CommandTimeout).WaitAsync(cancellationToken);

    public IAsyncEnumerable<ClusterEvent> SubscribeEvents(CancellationToken cancellationToken) => _board.Subscribe(cancellationToken);

    public FaultSettings GetFaults() => _environment.Faults?.Settings ?? FaultSettings.None;

    public void SetFaults(FaultSettings faults)
    {
        if (_environment.Faults is null) throw new InvalidOperationException("this node's transport has no in-node fault injection");
        _environment.Faults.Settings = faults;
    }

    public NodeMetrics GetMetrics() => _board.Metrics();

    /// <summary>Orderly shutdown through <see cref="LeaveSequence"/>: leave, flush, stop. Safe to call more than once.</summary>
    public async Task<NodeExit> LeaveAndStopAsync(CancellationToken cancellationToken)
    {
        if (_exiting == 0 && Interlocked.Exchange(ref _leaving, 1) == 0)
        {
            void Stopped() => Exit(new NodeExit(NodeExitReason.Stopped, "shutdown requested", _environment.System.Now));
            _environment.System.ActorOf(Props.Create(() => new LeaveSequence(_wiring, Stopped, CommandTimeout, _environment.Logger)), "leave");
        }
        return await _exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops at once without a leave: for the simulator's crashes and for disposal.</summary>
    public void Crash() => Exit(new NodeExit(NodeExitReason.Failed, "crashed", _environment.System.Now));

    public ValueTask DisposeAsync()
    {
        Crash();
        return ValueTask.CompletedTask;
    }
}
