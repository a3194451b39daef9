namespace Totem.Host.Control.Api;

/// <summary>GET /v1/runtime?prefix=: cmap keys in key order; type is corosync-cmapctl's (u32, u64, str, ...).</summary>
public sealed record RuntimeDto(string? Prefix, IReadOnlyList<RuntimeEntryDto> Entries);

public sealed record RuntimeEntryDto(string Key, string Type, string Value);
