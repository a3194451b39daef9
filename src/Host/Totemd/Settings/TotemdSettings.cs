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

    /// <summary>The root path of totemd's keys; everything else in the file (akka { }) is Akka's.</summary>
    public const string Root = "totemd";
}
