using Totem.Protocol.Wire;

namespace Totem.Protocol.Store;

/// <summary>A key's value and its version: the store version of the write that last set it (never reused, so a key removed and re-created has a new one).</summary>
public sealed record StoreEntry(ValueList<byte> Value, ulong Version);

/// <summary>One name in a directory listing: a key (with its version and size) or a directory (keys below it).</summary>
public sealed record StoreChild(string Name, bool IsDirectory, ulong Version, int Size);
