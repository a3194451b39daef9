namespace Totem.Host.Totemctl;

/// <summary>totemctl's exit codes: scripts and health checks rely on them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>quorum --check on a node that is not quorate.</summary>
    public const int NotQuorate = 1;

    /// <summary>Bad arguments, or totemd could not be reached or refused the request.</summary>
    public const int UsageOrConnection = 2;

    /// <summary>reload: a member refused the file, could not read it, or did not answer; nothing changed on that member.</summary>
    public const int ReloadNotTaken = 3;
}
