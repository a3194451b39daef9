using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Sync;

/// <summary>
/// Service synchronization (corosync's exec/sync.c) as a pure state machine. After every regular configuration each
/// member multicasts the services it runs (service build); once every member's list is in, the union of the lists
/// is synchronized one service at a time in service-id order: the service's process phase exchanges its state
/// through the ring, then the member multicasts a barrier; when every member's barrier is in, the service is
/// activated and the next one starts. After the last: <see cref="SyncCompleted"/>, and the node provides service.
/// <para>
/// Every sync message carries its ring id and a message of another ring is discarded, so a membership change in
/// the middle (which aborts the round at its transitional configuration and restarts it at its regular one) cannot
/// mix rounds. Barriers travel in agreed order behind the state a member sent before them: whoever delivered every
/// barrier of a service also delivered every member's state for it, and a member delivers the application's
/// messages of the ring only behind the last barrier (TotemSrp holds them back until <see cref="SyncCompleted"/>).
/// </para>
/// </summary>
public sealed class ServiceSync
{
    private enum Phase { Idle, ServiceListBuild, Process, Barrier }

    private readonly NodeId _local;
    private readonly SortedSet<byte> _localServices;
    private readonly Dictionary<byte, string> _names;
    private readonly List<SyncOutput> _out = new();
    private readonly Dictionary<NodeId, bool> _received = new();
    private readonly List<byte> _services = new();
    private Phase _phase = Phase.Idle;
    private RingId? _ring;
    private ValueList<NodeId> _members = ValueList<NodeId>.Empty;
    private ValueList<NodeId> _transitional = ValueList<NodeId>.Empty;
    private int _processing;
    private int _sent;
    private int _delivered;
    private int _aborted;

    /// <param name="localServices">The services this node synchronizes (corosync's services with a sync_init), by id with the name the logs use.</param>
    public ServiceSync(NodeId local, IReadOnlyDictionary<byte, string> localServices)
    {
        ArgumentNullException.ThrowIfNull(localServices);
        _local = local;
        _localServices = new SortedSet<byte>(localServices.Keys);
        _names = localServices.ToDictionary(s => s.Key, s => s.Value);
    }

    /// <summary>corosync's sync_in_process: from a regular configuration until its sync completed.</summary>
    public bool InProcess => _phase != Phase.Idle;

    /// <summary>The ring being synchronized, null when idle.</summary>
    public RingId? Ring => _ring;

    public IReadOnlyList<SyncOutput> Handle(SyncInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        switch (input)
        {
            case TransitionalDelivered transitional:
                Abort();
                _transitional = transitional.Members;
                break;
            case RegularDelivered regular:
                Abort();
                Start(regular);
                break;
            case SyncMessageDelivered { Message: SyncServiceBuild build } delivered:
                OnServiceBuild(delivered.Sender, build);
                break;
            case SyncMessageDelivered { Message: SyncBarrier barrier } delivered:
                OnBarrier(delivered.Sender, barrier);
                break;
            case ServiceProcessed processed:
                OnServiceProcessed(processed);
                break;
            default:
                throw new ArgumentException($"unknown sync input {input.GetType().Name}", nameof(input));
        }
        var taken = _out.ToList();
        _out.Clear();
        return taken;
    }

    // sync_servicelist_build_enter
    private void Start(RegularDelivered regular)
    {
        if (!regular.Members.Contains(_local))
            throw new ArgumentException($"regular configuration {regular.Ring} does not include the local node {_local}", nameof(regular));
        _ring = regular.Ring;
        _members = regular.Members;
        _phase = Phase.ServiceListBuild;
        _processing = 0;
        _sent = 0;
        _delivered = 0;
        ResetReceived();
        _services.Clear();
        _services.AddRange(_localServices);
        Multicast(new SyncServiceBuild(regular.Ring, _localServices.ToValueList()));

        // sync_process_call_init: every local service learns the new ring at once; the transitional members are
        // those of the saved transitional configuration still in the new ring.
        Log(SrpLogLevel.Debug, "call init for locally known services");
        var transitional = _transitional.Where(regular.Members.Contains).ToValueList();
        foreach (var service in _localServices)
            _out.Add(new InitService(service, regular.Ring, transitional, regular.Members));
    }

    // sync_service_build_handler
    private void OnServiceBuild(NodeId sender, SyncServiceBuild build)
    {
        if (!Current(build, "service build")) return;
        _delivered++;
        if (_phase != Phase.ServiceListBuild) return;
        // A service only a peer runs is synchronized too (corosync's "Unknown External Service"): we pass its barrier at once.
        foreach (var service in build.Services.Where(s => !_services.Contains(s))) _services.Add(service);
        _services.Sort();
        if (!MarkReceived(sender)) return;
        Log(SrpLogLevel.Debug, "enter sync process");
        ProcessEnter();
    }

    // sync_barrier_handler
    private void OnBarrier(NodeId sender, SyncBarrier barrier)
    {
        if (!Current(barrier, "barrier")) return;
        _delivered++;
        if (_phase is not (Phase.Process or Phase.Barrier)) return;
        if (!MarkReceived(sender)) return;
        var service = _services[_processing];
        Log(SrpLogLevel.Debug, "Committing synchronization for {Service}", ServiceName(service));
        if (_localServices.Contains(service)) _out.Add(new ActivateService(service, _ring!.Value));
        _processing++;
        if (_processing == _services.Count) Complete();
        else ProcessEnter();
    }

    private void OnServiceProcessed(ServiceProcessed processed)
    {
        // A late answer for an aborted round, or for another service, changes nothing.
        if (_phase != Phase.Process || processed.Ring != _ring || _services[_processing] != processed.Service) return;
        BarrierEnter();
    }

    // sync_process_enter and schedwrk_processor
    private void ProcessEnter()
    {
        if (_services.Count == 0)
        {
            Complete();
            return;
        }
        _phase = Phase.Process;
        ResetReceived();
        var service = _services[_processing];
        if (_localServices.Contains(service)) _out.Add(new ProcessService(service, _ring!.Value));
        else BarrierEnter();
    }

    private void BarrierEnter()
    {
        _phase = Phase.Barrier;
        Multicast(new SyncBarrier(_ring!.Value));
    }

    private void Complete()
    {
        var ring = _ring!.Value;
        _out.Add(new SyncCompleted(ring, _services.Count, _sent, _delivered, _aborted));
        _phase = Phase.Idle;
        _aborted = 0;
        // Later sync messages of this ring (none are sent) would find no round to count in.
        _ring = null;
    }

    // sync_abort: the service whose process phase ran (or was asked for) must drop its round.
    private void Abort()
    {
        if (_phase == Phase.Idle) return;
        if (_phase is Phase.Process or Phase.Barrier && _processing < _services.Count && _localServices.Contains(_services[_processing]))
            _out.Add(new AbortService(_services[_processing]));
        Log(SrpLogLevel.Debug, "Aborting the synchronization of ring {RingId}", _ring!.Value);
        _aborted++;
        _phase = Phase.Idle;
        _ring = null;
    }

    private bool Current(SyncMessage message, string kind)
    {
        if (message.Ring == _ring) return true;
        Log(SrpLogLevel.Debug, kind + " for old ring - discarding");
        return false;
    }

    /// <summary>Marks a member's message of the current phase; true when every member's is in.</summary>
    private bool MarkReceived(NodeId sender)
    {
        if (_received.ContainsKey(sender)) _received[sender] = true;
        return _received.Values.All(r => r);
    }

    private void ResetReceived()
    {
        _received.Clear();
        foreach (var member in _members) _received[member] = false;
    }

    private void Multicast(SyncMessage message)
    {
        _sent++;
        _out.Add(new MulticastSync(message));
    }

    private string ServiceName(byte service) =>
        _names.TryGetValue(service, out var name) ? name : $"Unknown External Service (id = {service})";

    private void Log(SrpLogLevel level, string template, params object?[] args) => _out.Add(new SyncLog(level, template, args));
}
