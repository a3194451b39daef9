using Totem.Nodes.Control;
using Totem.Protocol.Config;
using Totem.Protocol.Config.Reload;
using Totem.Protocol.Wire;

namespace Totem.Nodes;

/// <summary>
/// The configuration a node runs now, which a reload replaces (what corosync keeps in icmap and totem_config): the
/// config the node read, the ring's timeouts and the cmap keys they show as, every member's config_version and the
/// reload reports the ring delivered. Written by the cfg service actor, read by the facade, the control API and a
/// restarted ring (which starts on the reloaded timing, not the one of the process start). Thread-safe.
/// </summary>
public sealed class RunningConfig
{
    /// <summary>Reports kept for the facade to collect (a request's answers arrive within a few rotations).</summary>
    private const int KeptReports = 256;

    private readonly object _gate = new();
    private readonly Queue<(NodeId From, ReloadReported Report)> _reports = new();
    private readonly SortedDictionary<NodeId, ulong> _memberVersions = new();
    private ClusterConfig? _config;
    private TotemTimeouts _timeouts;
    private IReadOnlyList<CmapEntry> _keys;
    private uint _lastRequest;

    public RunningConfig(ClusterConfig? config, TotemTimeouts timeouts, IReadOnlyList<CmapEntry> keys)
    {
        _config = config;
        _timeouts = timeouts;
        _keys = keys.Count > 0 ? keys : RuntimeConfigKeys.From(timeouts);
    }

    /// <summary>The config last read (null: the node was given none, as in a simulation without files).</summary>
    public ClusterConfig? Config { get { lock (_gate) return _config; } }

    public TotemTimeouts Timeouts { get { lock (_gate) return _timeouts; } }

    /// <summary>The timing in force and its settings, read together (a reload replaces both at once).</summary>
    public RunningTimeouts TimeoutsWith(FencingSettings fencing)
    {
        lock (_gate) return new RunningTimeouts(_timeouts, _config?.Totem ?? TotemSettings.Default, fencing);
    }

    /// <summary>runtime.config.totem.* and the file's keys, as corosync-cmapctl shows them.</summary>
    public IReadOnlyList<CmapEntry> Keys { get { lock (_gate) return _keys; } }

    /// <summary>This node's file's config_version (0 when it sets none).</summary>
    public ulong ConfigVersion { get { lock (_gate) return _config?.Totem.ConfigVersion ?? 0; } }

    /// <summary>runtime.members.N.config_version: what each member's file said at its last reload report.</summary>
    public IReadOnlyList<CmapEntry> MemberVersionKeys
    {
        get
        {
            lock (_gate) return _memberVersions.Select(m => CmapEntry.U64($"runtime.members.{m.Key.Value}.config_version", m.Value)).ToList();
        }
    }

    internal uint NextRequestId()
    {
        lock (_gate) return ++_lastRequest;
    }

    /// <summary>A reload took: the new config, the timeouts derived from it and their keys.</summary>
    internal void Apply(ClusterConfig config, TotemTimeouts timeouts)
    {
        var keys = RuntimeConfigKeys.From(config, timeouts);
        lock (_gate)
        {
            _config = config;
            _timeouts = timeouts;
            _keys = keys;
        }
    }

    internal void Record(NodeId from, ReloadReported report)
    {
        lock (_gate)
        {
            _memberVersions[from] = report.ConfigVersion;
            _reports.Enqueue((from, report));
            while (_reports.Count > KeptReports) _reports.Dequeue();
        }
    }

    /// <summary>The reports delivered so far for one request, by reporting node.</summary>
    public IReadOnlyDictionary<NodeId, ReloadReported> ReportsFor(NodeId requester, uint requestId)
    {
        lock (_gate)
        {
            var answers = new SortedDictionary<NodeId, ReloadReported>();
            foreach (var (from, report) in _reports)
                if (report.Requester == requester && report.RequestId == requestId) answers[from] = report;
            return answers;
        }
    }
}
