namespace Totem.Host.Control.Api;

/// <summary>
/// POST /v1/config/reload answer (`totemctl reload`): the request as it went through the ring, the members of the ring
/// when it was made, each member's answer, the members that did not answer in time, and whether every member took it.
/// </summary>
public sealed record ReloadDto(uint Requester, uint RequestId, IReadOnlyList<uint> Members, IReadOnlyList<ReloadNodeDto> Nodes, IReadOnlyList<uint> Missing, bool AllTook);

/// <summary>
/// One member's answer: outcome (applied, unchanged, refused, invalid), its file's config_version, and the detail: the
/// changed keys, or every error and refusal as file:line:column: error: ...
/// </summary>
public sealed record ReloadNodeDto(uint NodeId, string Outcome, ulong ConfigVersion, string Detail);
