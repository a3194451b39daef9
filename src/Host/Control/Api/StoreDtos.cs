namespace Totem.Host.Control.Api;

/// <summary>GET /v1/store/PATH: a key of the local copy (the value as base64), and whether the node is quorate and its copy synchronized.</summary>
public sealed record StoreEntryDto(string Path, byte[] Value, ulong Version, ulong StoreVersion, bool Quorate, bool Synchronized);

/// <summary>GET /v1/store/PATH?list: a directory's names in the local copy.</summary>
public sealed record StoreListDto(string Path, IReadOnlyList<StoreChildDto> Children, ulong StoreVersion, bool Quorate, bool Synchronized);

/// <summary>One name of a listing: a key with its version and size in bytes, or a directory.</summary>
public sealed record StoreChildDto(string Name, bool Directory, ulong Version, int Size);

/// <summary>PUT or DELETE /v1/store/PATH applied: the key's new version (of its removal for a delete) and the store's.</summary>
public sealed record StoreWrittenDto(string Path, ulong Version, ulong StoreVersion);
