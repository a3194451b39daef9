using Totem.Protocol.Store;

namespace Totem.Nodes.Control;

/// <summary>
/// The answer to a store write: applied (the key's and the store's new versions), or refused with the kind and the
/// reason a client sees (<c>cluster not ready - no quorum?</c> without quorum).
/// </summary>
public sealed record StoreWriteResult(StoreErrorKind? Error, string? Reason, ulong KeyVersion, ulong StoreVersion)
{
    public bool Ok => Error is null;

    public static StoreWriteResult Applied(ulong keyVersion, ulong storeVersion) => new(null, null, keyVersion, storeVersion);
    public static StoreWriteResult Refused(StoreErrorKind kind, string reason) => new(kind, reason, 0, 0);
}

/// <summary>
/// A read of the local copy, which always works: the key (<paramref name="Entry"/>) or the directory's names
/// (<paramref name="Children"/>), whether the node is quorate and whether its copy is synchronized in the current
/// membership. <paramref name="Error"/> says why there is nothing (a bad path, no such key, a directory read as a key).
/// </summary>
public sealed record StoreReadResult(
    string Path,
    StoreEntry? Entry,
    IReadOnlyList<StoreChild>? Children,
    ulong StoreVersion,
    bool Quorate,
    bool Synchronized,
    StoreFailure? Error);
