using Totem.Protocol.Quorum;

namespace Totem.Host.Totemd;

/// <summary>totemd's exit codes; the compose restart policy and the tests rely on them.</summary>
public static class TotemdExitCodes
{
    /// <summary>Stopped on SIGTERM/SIGINT after leaving the ring.</summary>
    public const int Ok = 0;

    /// <summary>The node failed (socket lost, actor system failed) or the node layer is missing.</summary>
    public const int Failed = 1;

    /// <summary>Bad command line or configuration; nothing was started.</summary>
    public const int BadConfig = 2;

    /// <summary>The watchdog fenced the node: quorum stayed lost past fencing.timeout (defined by the watchdog).</summary>
    public const int Fenced = FencingWatchdog.FencedExitCode;
}
