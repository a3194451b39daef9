using Totem.Protocol.Wire;

namespace Totem.Protocol.Config.Reload;

/// <summary>What corosync's cfg service multicasts for a reload, through the ring so every member acts in the same order.</summary>
public abstract record CfgMessage;

/// <summary>
/// corosync's req_exec_cfg_reload_config: <paramref name="Requester"/> asks every member to re-read its config file;
/// <paramref name="RequestId"/> tells its answers from those of earlier requests.
/// </summary>
public sealed record ReloadRequested(NodeId Requester, uint RequestId) : CfgMessage;

/// <summary>
/// What one member made of request <paramref name="RequestId"/> of <paramref name="Requester"/>, and the
/// config_version its file says (corosync's cmap announces it on every change, as CMAP_MCAST_REASON_NEW_CONFIG_VERSION).
/// <paramref name="Detail"/>: the changed keys, or the errors and refusals with file:line.
/// </summary>
public sealed record ReloadReported(NodeId Requester, uint RequestId, ReloadOutcome Outcome, ulong ConfigVersion, string Detail) : CfgMessage;
