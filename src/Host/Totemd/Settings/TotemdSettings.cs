using System.Net;
using Totem.Nodes;
using Totem.Protocol.Config;

namespace Totem.Host.Totemd.Settings;

public enum LogLevelSetting { Info, Debug, Trace }

public enum LogFormat { Corosync, Json }

/// <summary>
/// totemd's own settings as its HOCON gives them (reference.conf, then the --akka-config file): the
/// defaults that apply where the cluster file and the command line are silent. See reference.conf.
/// </summary>
public sealed record TotemdSettings(
    IPEndPoint Control,
    FencingMode FencingMode,
    TimeSpan FencingTimeout,
    TimeSpan BootDelay,
    TimeSpan DiscoveryInterval,
    NodeIdSource NodeIdSource,
    LogLevelSetting LogLevel,
    string? LogFile,
    LogFormat LogFormat,
    TimeSpan LeaveTimeout,
    string? StateDir,
    string KeyFile)
{
    /// <summary>totemd.delivered-log: how much of the delivered messages the node keeps for GET /v1/messages.</summary>
    public DeliveredLogLimits DeliveredLog { get; init; } = DeliveredLogLimits.Default;

    /// <summary>totemd.send-queue: how much submitted traffic may wait for the token before submits get TRY_AGAIN / 503.</summary>
    public SendQueueLimits SendQueue { get; init; } = SendQueueLimits.Default;

    /// <summary>totemd.client.socket: null = the default place (see <see cref="ClientSocketPath"/>), "off" = none.</summary>
    public string? ClientSocket { get; init; }

    /// <summary>totemd.client.max-inflight-bytes.</summary>
    public int ClientMaxInflightBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>totemd.client.max-clients.</summary>
    public int ClientMaxClients { get; init; } = 64;

    /// <summary>totemd.observer.enabled: Akka.Remote on the control address for watchers (the dashboard).</summary>
    public bool ObserverEnabled { get; init; }

    /// <summary>totemd.observer.port.</summary>
    public int ObserverPort { get; init; } = Totem.Host.Control.Observer.ObserverPlane.DefaultPort;

    /// <summary>The value that turns the client socket off.</summary>
    public const string ClientSocketOff = "off";

    /// <summary>
    /// Where the client socket goes: <paramref name="configured"/> (the command line's, else the HOCON's) when given,
    /// else next to the state dir, else /run/totem/node&lt;id&gt;.sock (one per node, as several may share a machine);
    /// null when it is off.
    /// </summary>
    public static string? ClientSocketPath(string? configured, string? stateDir, uint nodeId) =>
        configured is { } path ? (path == ClientSocketOff ? null : path)
        : stateDir is not null ? Path.Combine(stateDir, "totem-client.sock")
        : $"/run/totem/node{nodeId}.sock";

    /// <summary>The root path of totemd's keys; everything else in the file (akka { }) is Akka's.</summary>
    public const string Root = "totemd";
}
