namespace Totem.Nodes.Control;

/// <summary>
/// The subsystem tag of a log line, shown the way corosync shows it ("[TOTEM ] A new membership ...").
/// Node code attaches it with <c>logger.ForContext(LogSubsystem.Property, LogSubsystem.Totem)</c>;
/// lines without one are printed as MAIN.
/// </summary>
public static class LogSubsystem
{
    public const string Property = "Subsystem";
    public const string Main = "MAIN";
    public const string Totem = "TOTEM";
    public const string Quorum = "QUORUM";
    /// <summary>The service synchronization after a membership change (corosync's exec/sync.c).</summary>
    public const string Sync = "SYNC";
    public const string Watchdog = "WD";
    /// <summary>corosync's cfg service: config reloads ("Config reload requested by node 1").</summary>
    public const string Cfg = "CFG";
    public const string Transport = "KNET";
    /// <summary>The replicated configuration store (Proxmox's pmxcfs on top of the ring).</summary>
    public const string Store = "STORE";
    /// <summary>The local client socket (corosync's CPG clients over IPC).</summary>
    public const string Cpg = "CPG";
    /// <summary>Akka.NET's own events (through Akka.Logger.Serilog), e.g. an actor that failed and was restarted.</summary>
    public const string Akka = "AKKA";
}
