using System.Collections.Immutable;
using System.Security.Cryptography;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Store;

/// <summary>
/// The store's contents at one version, immutable (a snapshot to persist or transfer is the state itself): the keys
/// with their values and versions, the store <see cref="Version"/> (how many writes made it: each applied write adds
/// one) and the <see cref="Epoch"/>, the ring in which it was last written or last synchronized while quorate, which
/// orders states of different partitions (see <see cref="StoreSyncRule"/>). Directories are implicit: a path is a
/// directory while a key lies below it, and a key never lies below another key.
/// </summary>
public sealed class StoreState
{
    private readonly ImmutableSortedDictionary<StorePath, StoreEntry> _entries;
    // The same keys as a sorted set, which can find the first key at or after a prefix (a directory's range).
    private readonly ImmutableSortedSet<StorePath> _keys;
    private byte[]? _digest;

    private StoreState(ImmutableSortedDictionary<StorePath, StoreEntry> entries, ImmutableSortedSet<StorePath> keys, ulong version, RingId epoch)
    {
        _entries = entries;
        _keys = keys;
        Version = version;
        Epoch = epoch;
    }

    /// <summary>A store nothing was ever written to; its epoch is older than any ring's.</summary>
    public static StoreState Empty { get; } = new(ImmutableSortedDictionary<StorePath, StoreEntry>.Empty, ImmutableSortedSet<StorePath>.Empty, 0, default);

    public ulong Version { get; }

    public RingId Epoch { get; }

    public int Count => _entries.Count;

    public IEnumerable<KeyValuePair<StorePath, StoreEntry>> Entries => _entries;

    /// <summary>SHA-256 of the contents (keys, values, versions and the store version; not the epoch): equal digests, equal stores.</summary>
    public ReadOnlySpan<byte> Digest => _digest ??= SHA256.HashData(StoreStateCodec.EncodeContent(this));

    /// <summary>Builds a state from decoded or test entries; throws <see cref="ArgumentException"/> when they do not form a tree or a version is out of range.</summary>
    public static StoreState Create(IEnumerable<KeyValuePair<StorePath, StoreEntry>> entries, ulong version, RingId epoch)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var built = ImmutableSortedDictionary.CreateRange(entries);
        foreach (var (path, entry) in built)
        {
            if (path.IsRoot) throw new ArgumentException("the root '/' cannot hold a value", nameof(entries));
            if (entry.Version == 0 || entry.Version > version)
                throw new ArgumentException($"'{path}' has version {entry.Version}, outside 1..{version} (the store version)", nameof(entries));
            if (entry.Value.Count > StoreLimits.MaxValueBytes)
                throw new ArgumentException($"'{path}' holds {entry.Value.Count} bytes, the limit is {StoreLimits.MaxValueBytes}", nameof(entries));
            for (var parent = path.Parent; !parent.IsRoot; parent = parent.Parent)
                if (built.ContainsKey(parent))
                    throw new ArgumentException($"'{path}' lies below '{parent}', which is a key with a value", nameof(entries));
        }
        return new StoreState(built, ImmutableSortedSet.CreateRange(built.Keys), version, epoch);
    }

    public StoreEntry? Get(StorePath path) => _entries.GetValueOrDefault(path);

    /// <summary>The root always; any other path while a key lies below it.</summary>
    public bool IsDirectory(StorePath path) => path.IsRoot || FirstKeyBelow(path.ChildPrefix) is not null;

    /// <summary>The names directly below <paramref name="directory"/>, ordered; empty for a path that is not a directory.</summary>
    public IReadOnlyList<StoreChild> Children(StorePath directory)
    {
        var prefix = directory.ChildPrefix;
        var children = new List<StoreChild>();
        var key = FirstKeyBelow(prefix);
        while (key is not null)
        {
            var rest = key.Value[prefix.Length..];
            var slash = rest.IndexOf('/');
            if (slash < 0)
            {
                var entry = _entries[key];
                children.Add(new StoreChild(rest, false, entry.Version, entry.Value.Count));
                key = NextKey(key.Value + "\0", prefix);
            }
            else
            {
                var name = rest[..slash];
                children.Add(new StoreChild(name, true, 0, 0));
                // Skip the subdirectory's keys: '0' follows '/' in ordinal order.
                key = NextKey(prefix + name + "0", prefix);
            }
        }
        // "b-x" sorts before the keys of directory "b" ('-' < '/'); names are listed in their own order.
        children.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return children;
    }

    /// <summary>
    /// Applies one write as every member does, in agreed order: a refusal (conflict, not found, directory) changes
    /// nothing and is the same on every member, since each holds the same state at the same place of the order.
    /// </summary>
    public StoreApplyResult Apply(StoreOp op, StorePath path, ulong? expectedVersion, ValueList<byte> value, RingId epoch)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.IsRoot) return StoreApplyResult.Refused(StoreErrorKind.IsDirectory, "the root '/' is a directory");
        for (var parent = path.Parent; !parent.IsRoot; parent = parent.Parent)
            if (_entries.ContainsKey(parent))
                return StoreApplyResult.Refused(StoreErrorKind.NotADirectory, $"'{parent}' is a key with a value, not a directory: '{path}' cannot be below it");
        var existing = Get(path);
        if (existing is null && IsDirectory(path))
            return StoreApplyResult.Refused(StoreErrorKind.IsDirectory, op == StoreOp.Put
                ? $"'{path}' is a directory (keys lie below it): it cannot hold a value"
                : $"'{path}' is a directory: remove the keys below it");
        var current = existing?.Version ?? 0;
        if (expectedVersion is { } expected && expected != current)
            return StoreApplyResult.Refused(StoreErrorKind.Conflict, current == 0
                ? $"'{path}' does not exist, the write expected version {expected}"
                : $"'{path}' is at version {current}, the write expected version {expected}");
        if (op == StoreOp.Remove && existing is null)
            return StoreApplyResult.Refused(StoreErrorKind.NotFound, $"'{path}' does not exist");

        var version = Version + 1;
        var next = op == StoreOp.Put
            ? new StoreState(_entries.SetItem(path, new StoreEntry(value, version)), _keys.Add(path), version, epoch)
            : new StoreState(_entries.Remove(path), _keys.Remove(path), version, epoch);
        return StoreApplyResult.Applied(next, version);
    }

    /// <summary>The same contents and version in another epoch (a quorate sync, or the winner's epoch adopted).</summary>
    public StoreState WithEpoch(RingId epoch) => epoch == Epoch ? this : new StoreState(_entries, _keys, Version, epoch) { _digest = _digest };

    private StorePath? FirstKeyBelow(string prefix) => NextKey(prefix, prefix);

    // The first key at or after `from` that still starts with `prefix`.
    private StorePath? NextKey(string from, string prefix)
    {
        var index = _keys.IndexOf(StorePath.Probe(from));
        if (index < 0) index = ~index;
        if (index >= _keys.Count) return null;
        var key = _keys[index];
        return key.Value.StartsWith(prefix, StringComparison.Ordinal) ? key : null;
    }
}

/// <summary>The outcome of <see cref="StoreState.Apply"/>: the next state and the key's new version, or why nothing changed.</summary>
public sealed record StoreApplyResult(StoreState? Next, ulong KeyVersion, StoreFailure? Failure)
{
    public static StoreApplyResult Applied(StoreState next, ulong keyVersion) => new(next, keyVersion, null);
    public static StoreApplyResult Refused(StoreErrorKind kind, string reason) => new(null, 0, new StoreFailure(kind, reason));
}
