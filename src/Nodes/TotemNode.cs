using System.Net;
using Serilog;
using Akka.Actor;
using Akka.Configuration;
using Totem.Nodes.Actors;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Security;
using Totem.Protocol.Srp;
using Totem.Protocol.Store;
using Totem.Protocol.Wire;

namespace Totem.Nodes;

/// <summary>
/// One running node: one Akka.NET actor system whose <see cref="NodeDaemon"/> creates the node's actors
/// (udp-adapter, ring with votequorum, watchdog), and the facade the host and the simulator use. The facade
/// talks to the daemon by Tell, and by Ask from outside the actors. <see cref="Start"/> is the one way to start
/// a node, for totemd and the simulator alike.
/// </summary>
public sealed class TotemNode : IRunningNode
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);
    private readonly NodeOptions _options;
    private readonly NodeEnvironment _environment;
    private readonly NodeBoard _board;
    private readonly MalformedCounter _malformed = new();
    private readonly PeerActivity _activity = new();
    private IActorRef _daemon = ActorRefs.Nobody;
    private readonly TaskCompletionSource<NodeExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _exiting;
    private int _leaving;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, TaskCompletionSource<SubmitResult>> _waiting = new();
    // The store's answers still awaited, each with what the node's exit answers instead.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, Action> _storeReplies = new();
    private long _nextTicket;
    private volatile IActorRef? _receiver;

    private TotemNode(NodeOptions options, NodeEnvironment environment)
    {
        _options = options;
        _environment = environment;
        _board = new NodeBoard(options, new SchedulerClock(environment.System.Scheduler));
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

    /// <summary>
    /// The ActorSystem of a node on real UDP ("node" + its id) over the node's embedded reference.conf;
    /// Akka's own log lines go to <paramref name="logger"/>, tagged [AKKA  ]. totemd creates it in the
    /// background while it still loads its config and binds its socket, and hands it to <see cref="StartUdp"/>.
    /// </summary>
    /// <param name="akkaConfig">Akka settings on top of the node's embedded reference.conf (totemd's HOCON), if any.</param>
    public static ActorSystem CreateSystem(NodeId nodeId, ILogger logger, Config? akkaConfig = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var config = (akkaConfig ?? Config.Empty).WithFallback(NodeConfig.Reference);
        // Akka.Logger.Serilog writes to Serilog's static logger: one node per totemd process, so it is this one.
        Serilog.Log.Logger = logger.ForContext(LogSubsystem.Property, LogSubsystem.Akka);
        return ActorSystem.Create($"node{nodeId}", config);
    }

    /// <summary>A node on real UDP and the thread pool: what totemd runs.</summary>
    /// <param name="akkaConfig">Akka settings on top of the node's embedded reference.conf (totemd's HOCON), if any.</param>
    /// <param name="system">
    /// The node's ActorSystem (<see cref="CreateSystem"/>), asked for once the socket is bound; the node owns
    /// it once this returns; a start that fails (a socket that cannot be bound) leaves it to its giver to stop.
    /// Null: created here with <paramref name="akkaConfig"/>.
    /// </param>
    /// <param name="readConfig">Reads the node's config file again for a reload; null: reloads are refused.</param>
    /// <param name="redundantLinks">knet's links 1..7 (ringN_addr), each its own socket; empty or null: link 0 only, no link layer.</param>
    public static TotemNode StartUdp(NodeOptions options, IPEndPoint bindTo, PeerTable peers, ILogger logger, Action<NodeExit>? onExit = null, Action<ulong>? persistRingSeq = null,
        Config? akkaConfig = null, Func<ActorSystem>? system = null, Func<ConfigLoadResult>? readConfig = null, StoreHosting? store = null,
        IReadOnlyList<UdpLink>? redundantLinks = null)
    {
        var faults = new FaultShaper(Random.Shared.NextDouble);
        var links = new List<UdpLink> { new(0, bindTo, peers) };
        links.AddRange(redundantLinks ?? []);
        // One link: today's path and faults. Several: each socket shapes by the peer's fault and its link's, and the link
        // layer applies the link's fault to what arrives too.
        var (transport, sockets) = links.Count == 1
            ? UdpLinks.Open(options, links, _ => faults, null, logger)
            : UdpLinks.Open(options, links, faults.ForLink, faults.DecideOnLink, logger);
        var local = sockets[0].LocalEndPoint;
        ActorSystem created;
        try
        {
            created = system is not null ? system() : CreateSystem(options.NodeId, logger, akkaConfig);
        }
        catch
        {
            transport.Dispose();
            throw;
        }
        return Start(options with { LocalAddress = local.Address.ToString(), Port = local.Port },
            new NodeEnvironment(created, transport, logger)
            {
                Faults = faults,
                PeerAddresses = () => peers.Snapshot.ToDictionary(p => p.Key, p => p.Value.ToString()),
                PeerNames = () => peers.Names,
                Links = links.Select(l => (l, sockets[l.LinkNumber].LocalEndPoint)).ToList(),
                OnExit = onExit,
                PersistRingSeq = persistRingSeq,
                ReadConfig = readConfig,
                Store = store,
            });
    }

    private void Spawn()
    {
        var transport = _environment.Transport;
        var malformed = _malformed;
        if (transport is LinkedTransport links) links.OnLinkEvent += PublishLinkEvent;
        // Over several links the ring's datagrams are counted by the link layer, what the sockets refused or dropped by each link's transport.
        Func<TransportCounters> edge = transport is LinkedTransport linked ? linked.LinkTotals : () => transport.Counters;
        _board.AttachLink(
            members => LinkOf(_activity, members),
            () =>
            {
                var sockets = edge();
                return (transport.Counters.Sent, transport.Counters.Received, sockets.DroppedByFault, malformed.Count, sockets.RejectedUnlisted);
            },
            edge,
            _environment.PeerNames);
        var hooks = new RingHooks
        {
            // A crashed node's actors may still run until its system has stopped: nothing of theirs reaches the outside then.
            ProtocolOutput = _environment.ProtocolOutput is { } output ? o => { if (_exiting == 0) output(o); } : null,
            ServiceSyncCompleted = _environment.ServiceSyncCompleted is { } synced ? r => { if (_exiting == 0) synced(r); } : null,
            PersistRingSeq = _environment.PersistRingSeq,
            OnActorFailure = _environment.OnActorFailure,
            NextRandom = _environment.NextRandom,
        };
        var parts = new NodeParts(_options, _board, transport, _environment.Logger, SrpOptionsNow, hooks, _malformed, _activity,
            Fence, Stopped, CommandTimeout, DaemonStopped)
        {
            ReadConfig = _environment.ReadConfig,
            Store = _environment.Store,
        };
        _daemon = _environment.System.ActorOf(NodeDaemon.Props(parts), "node");
    }

    /// <summary>
    /// Starts the observer plane's publisher (/user/observer, <see cref="ObserverPublisher"/>): totemd does when the
    /// observer is on, over an ActorSystem with Akka.Remote. Never in the simulator.
    /// </summary>
    public IActorRef StartObserver(TimeSpan sampleEvery) =>
        System.ActorOf(ObserverPublisher.Props(NodeId, _board.Subscribe, Sample, sampleEvery), ObserverPublisher.Name);

    private RingSample Sample()
    {
        var metrics = _board.Metrics();
        return new RingSample(_board.Status(), metrics.TokenRotationMs, metrics.Retransmits, metrics.TokensLost);
    }

    private void Stopped() => Exit(new NodeExit(NodeExitReason.Stopped, "shutdown requested", Now));

    /// <summary>The daemon stops only when the system terminates; otherwise the node has failed.</summary>
    private void DaemonStopped() => Exit(new NodeExit(NodeExitReason.Failed, "the node daemon stopped", Now));

    private DateTimeOffset Now => _environment.System.Scheduler.Now;

    // A ring restarted after a reload runs the reloaded timing.
    private SrpOptions SrpOptionsNow() => new(_options.NodeId, _board.Running.Timeouts)
    {
        InitialRingSeq = Math.Max(_options.InitialRingSeq, _board.HighestRingSeq),
        MaxPendingMessages = _options.SendQueue.Messages,
        MaxPendingBytes = _options.SendQueue.Bytes,
    };

    private LinkSnapshot LinkOf(PeerActivity activity, ValueList<NodeId> members)
    {
        var heard = activity.Snapshot();
        var addresses = _environment.PeerAddresses();
        var now = Now.ToUnixTimeMilliseconds();
        var token = _board.Running.Timeouts.Token;
        var linked = _environment.Transport as LinkedTransport;
        var knet = linked?.PeerLinks(KnetAddress).ToDictionary(p => p.Peer, p => p.Links) ?? [];
        var peers = addresses.Keys.Union(heard.Keys).Where(n => n != _options.NodeId).OrderBy(n => n)
            .Select(n =>
            {
                DateTimeOffset? last = heard.TryGetValue(n, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
                var connected = members.Contains(n) || (heard.TryGetValue(n, out var h) && now - h < token);
                return new PeerLinkStatus(n, addresses.TryGetValue(n, out var a) ? a : "", connected, last)
                {
                    Links = knet.TryGetValue(n, out var links) ? links : ValueList<PeerKnetLink>.Empty,
                };
            })
            .ToValueList();
        return new LinkSnapshot(_options.LocalAddress, _options.Port, peers)
        {
            Links = linked is null ? ValueList<LocalKnetLink>.Empty : linked.LinkNumbers.Select(l => LocalLink(linked, l)).ToValueList(),
        };
    }

    private LocalKnetLink LocalLink(LinkedTransport linked, uint link)
    {
        var socket = linked.Link(link).Counters;
        var bound = _environment.Links.FirstOrDefault(l => l.Link.LinkNumber == link).Local;
        return new LocalKnetLink(link, bound?.Address.ToString() ?? "", bound?.Port ?? 0,
            socket.DroppedByFault + socket.SendErrors + socket.Unauthenticated + socket.RejectedUnlisted);
    }

    /// <summary>A peer's address on a knet link, from the link's peer table (none in the simulator).</summary>
    private string KnetAddress(uint link, NodeId peer) =>
        _environment.Links.FirstOrDefault(l => l.Link.LinkNumber == link).Link?.Peers.TryGet(peer, out var endpoint) == true ? endpoint.Address.ToString() : "";

    /// <summary>A link up or down, with the host's links up after it, on the event path the API and the observer plane read.</summary>
    private void PublishLinkEvent(TimeSpan at, Protocol.Links.LinkOutput output)
    {
        if (_exiting != 0 || _environment.Transport is not LinkedTransport linked) return;
        var (host, link, up) = output switch
        {
            Protocol.Links.LinkWentUp u => (u.Host, u.Link, true),
            Protocol.Links.LinkWentDown d => (d.Host, d.Link, false),
            _ => (default(NodeId), 0u, false),
        };
        if (host == default) return;
        // Called on the link layer's thread under its lock (which is reentrant): the table already holds the change.
        var active = linked.LinkNumbers.Count(l => linked.Status(host, l).Connected);
        _board.Publish(new KnetLinkChanged(Now, host, link, up, active));
    }

    private void Fence(NodeExit exit) => Exit(exit);

    private void Exit(NodeExit exit)
    {
        if (Interlocked.Exchange(ref _exiting, 1) != 0) return;
        _environment.OnExit?.Invoke(exit);
        _board.CompleteEvents();
        foreach (var ticket in _waiting.Keys)
            if (_waiting.TryRemove(ticket, out var waiter)) waiter.TrySetResult(SubmitResult.Refused(SubmitRefusal.Stopping, "the node is stopping"));
        foreach (var reply in _storeReplies.Keys)
            if (_storeReplies.TryRemove(reply, out var atExit)) atExit();
        if (_environment.System.Scheduler is Simulator.VirtualTimeScheduler simulated) simulated.SystemTerminating();
        if (_environment.System.Dispatchers.DefaultGlobalDispatcher is Simulator.SimulatedDispatcher dispatcher) dispatcher.SystemTerminating();
        _ = _environment.System.Terminate();
        _environment.Transport.Dispose();
        _exited.TrySetResult(exit);
    }

    public NodeStatusSnapshot GetStatus() => _board.Status();

    public IReadOnlyList<CmapEntry> GetRuntime(string? prefix) => _board.Runtime(prefix);

    public RunningTimeouts GetTimeouts() => _board.Running.TimeoutsWith(_options.Fencing);

    public Task<SubmitResult> SubmitAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (payload.Length > _options.MaxPayloadBytes)
            return Task.FromResult(SubmitResult.Refused(SubmitRefusal.TooLarge, $"payload of {payload.Length} bytes is above the limit of {_options.MaxPayloadBytes} bytes"));
        return SubmitBatchAsync([payload], cancellationToken);
    }

    /// <summary>
    /// Told to TokenHolder with the node's <see cref="SubmitReceiver"/> as the sender, no Ask: the answer completes the
    /// ticket's task. Refused at once when the node stops; a ticket unanswered after the command timeout fails as an
    /// Ask would (TokenHolder restarted with the batch in its mailbox).
    /// </summary>
    public async Task<SubmitResult> SubmitBatchAsync(IReadOnlyList<ReadOnlyMemory<byte>> payloads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        if (_exiting != 0) return SubmitResult.Refused(SubmitRefusal.Stopping, "the node is stopping");
        var ticket = Interlocked.Increment(ref _nextTicket);
        var waiter = new TaskCompletionSource<SubmitResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[ticket] = waiter;
        _daemon.Tell(new SubmitApplicationBatch(ticket, payloads), Receiver());
        // The exit may have run between the check and the registration: it fails every waiter it finds, so look again.
        if (_exiting != 0 && _waiting.TryRemove(ticket, out _)) return SubmitResult.Refused(SubmitRefusal.Stopping, "the node is stopping");
        try
        {
            return await waiter.Task.WaitAsync(CommandTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            _waiting.TryRemove(ticket, out _);
            throw;
        }
    }

    /// <summary>Made at the first submission, so a node that never takes one (the simulator's) runs the same actors as before.</summary>
    private IActorRef Receiver()
    {
        if (_receiver is { } made) return made;
        lock (_waiting)
        {
            return _receiver ??= _environment.System.ActorOf(SubmitReceiver.Props(_waiting), "submit-receiver");
        }
    }

    /// <summary>Queues an application message without waiting for the answer (the simulator's workload).</summary>
    public void Post(byte[] payload) => _daemon.Tell(new SubmitApplicationMessage(payload), ActorRefs.NoSender);

    public IReadOnlyList<DeliveredApplicationMessage> GetMessages(long from, int max) => _board.Messages(from, max);

    public IDeliveryFeed OpenDeliveryFeed() => _board.OpenFeed();

    public Task<SetExpectedVotesResult> SetExpectedVotesAsync(uint votes, CancellationToken cancellationToken) =>
        _daemon.Ask<SetExpectedVotesResult>(new SetExpectedVotesCommand(votes), CommandTimeout).WaitAsync(cancellationToken);

    /// <summary>
    /// `corosync-cfgtool -R`: the request goes through the ring and every member re-reads its config file; waits until
    /// every member of the ring at the time of the request has answered, or <paramref name="wait"/> has passed.
    /// </summary>
    public async Task<ConfigReloadResult> ReloadConfigAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var members = _board.Status().Members.ToList();
        var request = await _daemon.Ask<ConfigReloadRequested>(new ReloadConfigCommand(), CommandTimeout).WaitAsync(cancellationToken).ConfigureAwait(false);
        var deadline = DateTimeOffset.UtcNow + wait;
        while (true)
        {
            var reports = _board.Running.ReportsFor(request.Requester, request.RequestId);
            var result = new ConfigReloadResult(request.Requester, request.RequestId, members, reports);
            if (result.Missing.Count == 0 || DateTimeOffset.UtcNow >= deadline || _exiting != 0) return result;
            await Task.Delay(ReloadPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan ReloadPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>Asks for a reload without waiting for the answers (the simulator reads them from <see cref="NodeBoard.Running"/>).</summary>
    public void RequestReload() => _daemon.Tell(new ReloadConfigCommand(), ActorRefs.NoSender);

    private const string NoStore = "this node runs no replicated store";

    /// <summary>
    /// The store's actor answers every write (after <see cref="StoreService.AnswerTimeout"/> at the latest, with an
    /// unknown outcome), so no timeout here; the task completes in the actor's step (<see cref="TaskReplyRef{T}"/>).
    /// </summary>
    public Task<StoreWriteResult> WriteStoreAsync(StoreOp op, string path, byte[] value, ulong? expectedVersion, CancellationToken cancellationToken) =>
        _environment.Store is null
            ? Task.FromResult(StoreWriteResult.Refused(StoreErrorKind.InvalidRequest, NoStore))
            : AskStore(new StoreWriteCommand(op, path, value, expectedVersion),
                StoreWriteResult.Refused(StoreErrorKind.OutcomeUnknown, $"the node stopped before the outcome of the write of '{path}' was known; it may or may not have been applied"),
                cancellationToken);

    public Task<StoreReadResult> ReadStoreAsync(string path, bool list, CancellationToken cancellationToken) =>
        _environment.Store is null
            ? Task.FromResult(new StoreReadResult(path, null, null, 0, false, false, new StoreFailure(StoreErrorKind.InvalidRequest, NoStore)))
            : AskStore(new StoreReadCommand(path, list),
                new StoreReadResult(path, null, null, 0, false, false, new StoreFailure(StoreErrorKind.NotSynchronized, "the node is stopping")),
                cancellationToken);

    /// <summary>Tells the store's actor <paramref name="command"/>; its answer completes the task, and the node's exit answers <paramref name="atExit"/>.</summary>
    private Task<T> AskStore<T>(object command, T atExit, CancellationToken cancellationToken)
    {
        if (_exiting != 0) return Task.FromResult(atExit);
        var reply = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _storeReplies[reply.Task] = () => reply.TrySetResult(atExit);
        reply.Task.ContinueWith(done => _storeReplies.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _daemon.Tell(command, new TaskReplyRef<T>(_environment.System, reply));
        // The exit may have run between the check and the registration: it answers every reply it finds, so look again.
        if (_exiting != 0) reply.TrySetResult(atExit);
        // Without a token that can fire, the task itself: a simulated client sees the answer in the actor's step.
        return cancellationToken.CanBeCanceled ? reply.Task.WaitAsync(cancellationToken) : reply.Task;
    }

    public IAsyncEnumerable<ClusterEvent> SubscribeEvents(CancellationToken cancellationToken) => _board.Subscribe(cancellationToken);

    public FaultSettings GetFaults() => _environment.Faults?.Settings ?? FaultSettings.None;

    /// <summary>The knet link numbers this node runs, ascending: [0] without redundant links.</summary>
    public IReadOnlyList<uint> LinkNumbers => _environment.Transport is LinkedTransport linked ? linked.LinkNumbers.ToList() : [0u];

    /// <summary>
    /// Why this node cannot take a fault on <paramref name="link"/>, or null: link faults shape totemd's own link
    /// sockets (<see cref="StartUdp"/> with redundant links); a one-link node has no link layer, and the simulator's
    /// links are cut in its network.
    /// </summary>
    private string? RefusesLinkFault(uint link) => _environment.Links.Count switch
    {
        0 => $"link {link}: link faults apply to totemd's link sockets; the simulator cuts links with SimulatedNetwork.CutLink",
        1 => $"link {link}: this node runs one link (no ring1_addr in the nodelist); a fault without a link applies to it",
        _ => LinkNumbers.Contains(link) ? null : $"link {link}: this node has no such link (its links: {string.Join(", ", LinkNumbers)})",
    };

    public void SetFaults(FaultSettings faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        if (_environment.Faults is null) throw new InvalidOperationException("this node's transport has no in-node fault injection");
        foreach (var l in faults.Links)
            if (RefusesLinkFault(l.Link) is { } refusal) throw new ArgumentException(refusal);
        _environment.Faults.Settings = faults;
    }

    public NodeMetrics GetMetrics() => _board.Metrics();

    /// <summary>Orderly shutdown through the daemon's <see cref="LeaveSequence"/>: leave, flush, stop. Safe to call more than once.</summary>
    public async Task<NodeExit> LeaveAndStopAsync(CancellationToken cancellationToken)
    {
        if (_exiting == 0 && Interlocked.Exchange(ref _leaving, 1) == 0) _daemon.Tell(new LeaveAndStop(), ActorRefs.NoSender);
        return await _exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops at once without a leave: for the simulator's crashes and for disposal.</summary>
    public void Crash() => Exit(new NodeExit(NodeExitReason.Failed, "crashed", Now));

    public ValueTask DisposeAsync()
    {
        Crash();
        return ValueTask.CompletedTask;
    }
}
