using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator;

/// <summary>The cluster a simulation runs: node count, corosync timings, quorum and fencing settings.</summary>
public sealed record SimulationOptions(int NodeCount)
{
    /// <summary>The totem section; timeouts are derived from it for NodeCount nodes exactly as totemd derives them.</summary>
    public TotemSettings Totem { get; init; } = new();

    public QuorumSettings Quorum { get; init; } = QuorumSettings.Default;

    public FencingSettings Fencing { get; init; } = new(FencingMode.None, 10_000);

    /// <summary>Votes per node id (absent: 1).</summary>
    public IReadOnlyDictionary<NodeId, uint> Votes { get; init; } = new Dictionary<NodeId, uint>();

    /// <summary>How long a fenced node takes to "reboot" before it starts again.</summary>
    public TimeSpan BootDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Record every engine event and protocol log line with virtual timestamps (costs time).</summary>
    public bool CaptureLogs { get; init; }

    /// <summary>The lowest level captured (Debug adds the engine's state transitions, as corosync's debug: on).</summary>
    public Serilog.Events.LogEventLevel CaptureLevel { get; init; } = Serilog.Events.LogEventLevel.Information;

    /// <summary>Let the inputs of one virtual instant interleave with the actors' own messages (<see cref="Simulation.InterleaveSameInstant"/>).</summary>
    public bool InterleaveSameInstant { get; init; }

    /// <summary>Each mailbox run of a node's actors waits a seeded <see cref="BusyNodeDelay"/> first (<see cref="Simulation.BusyNodes"/>).</summary>
    public bool BusyNodes { get; init; }

    /// <summary>With <see cref="CaptureLogs"/>: log every membership message put on the wire (join, leave, commit token, merge detect).</summary>
    public bool TraceMembership { get; init; }

    /// <summary>
    /// Each node's config file as it reads now (a reload reads it again; a test edits it in between); null: nodes run
    /// <see cref="Totem"/> and refuse reloads. The file's timing replaces <see cref="Totem"/>'s for that node.
    /// </summary>
    public Func<NodeId, string>? ConfigFile { get; init; }

    /// <summary>Every node runs the replicated store (issue 16), its copy kept on the simulation's "disk" across restarts; off: no store, the traces of issue 10.</summary>
    public bool Store { get; init; }

    /// <summary>
    /// The knet links every node has (ring0_addr .. ring7_addr); each link's heartbeat is tuned by <see cref="Totem"/>'s
    /// interface block for it and its mode is <see cref="TotemSettings.LinkMode"/>. One link (the default): nodes send
    /// bare datagrams with no heartbeat, the traces of a single-ring engine.
    /// </summary>
    public IReadOnlyList<uint> LinkNumbers { get; init; } = [0];

    /// <summary>The links' settings as totemd derives them.</summary>
    public IReadOnlyList<Protocol.Links.LinkSettings> Links => Protocol.Links.LinkSettings.For(LinkNumbers, Totem, Timeouts);

    public TotemTimeouts Timeouts => TotemTimeouts.Derive(Totem, NodeCount);

    public IReadOnlyList<NodeId> NodeIds => Enumerable.Range(1, NodeCount).Select(i => new NodeId((uint)i)).ToList();
}
