namespace Totem.Protocol.Store;

/// <summary>
/// A read from the local copy, which always works: <paramref name="Quorate"/> says whether the node is quorate and
/// <paramref name="Synchronized"/> whether the copy was synchronized in the current membership (false while a
/// membership change is in progress, and after a start until the first sync: the copy may be behind).
/// </summary>
public sealed record StoreRead<T>(T Value, ulong StoreVersion, bool Quorate, bool Synchronized);
