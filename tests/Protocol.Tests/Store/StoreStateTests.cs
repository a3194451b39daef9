using System.Text;
using Totem.Protocol.Store;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Store;

public class StoreStateTests
{
    private static readonly RingId Ring = new(new NodeId(1), 8);

    private static ValueList<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text).ToValueList();

    private static StoreState Put(StoreState state, string path, string value = "v", ulong? expected = null)
    {
        var result = state.Apply(StoreOp.Put, StorePath.Parse(path), expected, Bytes(value), Ring);
        Assert.Null(result.Failure);
        return result.Next!;
    }

    private static StoreFailure Refused(StoreState state, StoreOp op, string path, ulong? expected = null)
    {
        var result = state.Apply(op, StorePath.Parse(path), expected, op == StoreOp.Put ? Bytes("v") : ValueList<byte>.Empty, Ring);
        Assert.Null(result.Next);
        return result.Failure!;
    }

    [Fact]
    public void Every_write_adds_one_to_the_store_version_and_sets_the_keys_version_and_the_epoch()
    {
        var state = Put(StoreState.Empty, "/a");
        state = Put(state, "/b");
        state = Put(state, "/a", "again");
        Assert.Equal(3ul, state.Version);
        Assert.Equal(3ul, state.Get(StorePath.Parse("/a"))!.Version);
        Assert.Equal(2ul, state.Get(StorePath.Parse("/b"))!.Version);
        Assert.Equal(Ring, state.Epoch);
        var removed = state.Apply(StoreOp.Remove, StorePath.Parse("/b"), null, ValueList<byte>.Empty, Ring);
        Assert.Equal(4ul, removed.KeyVersion);
        Assert.Null(removed.Next!.Get(StorePath.Parse("/b")));
        Assert.Equal(1, removed.Next.Count);
        // The state it came from is untouched (a snapshot handed out stays valid).
        Assert.Equal(2, state.Count);
    }

    [Fact]
    public void Parents_are_implicit_directories_and_ls_lists_children_once_in_name_order()
    {
        var state = StoreState.Empty;
        foreach (var path in new[] { "/nodes/n1/a.conf", "/nodes/n1/b.conf", "/nodes/n2/x", "/nodes-list", "/corosync.conf", "/nodes/readme" })
            state = Put(state, path, path);
        Assert.True(state.IsDirectory(StorePath.Parse("/nodes")));
        Assert.True(state.IsDirectory(StorePath.Root));
        Assert.False(state.IsDirectory(StorePath.Parse("/nodes/readme")));
        Assert.False(state.IsDirectory(StorePath.Parse("/node")));

        Assert.Equal(["corosync.conf", "nodes", "nodes-list"], state.Children(StorePath.Root).Select(c => c.Name));
        var nodes = state.Children(StorePath.Parse("/nodes"));
        Assert.Equal(["n1", "n2", "readme"], nodes.Select(c => c.Name));
        Assert.Equal([true, true, false], nodes.Select(c => c.IsDirectory));
        var readme = nodes[2];
        Assert.Equal(6ul, readme.Version);
        Assert.Equal("/nodes/readme".Length, readme.Size);
        Assert.Empty(state.Children(StorePath.Parse("/nodes/readme")));
        Assert.Empty(state.Children(StorePath.Parse("/absent")));

        // The last key gone, its directory is gone too.
        state = state.Apply(StoreOp.Remove, StorePath.Parse("/nodes/n2/x"), null, ValueList<byte>.Empty, Ring).Next!;
        Assert.Equal(["n1", "readme"], state.Children(StorePath.Parse("/nodes")).Select(c => c.Name));
    }

    [Fact]
    public void A_key_is_never_below_a_key_and_a_directory_holds_no_value()
    {
        var state = Put(StoreState.Empty, "/a/b/c");
        Assert.Equal(StoreErrorKind.IsDirectory, Refused(state, StoreOp.Put, "/a").Kind);
        Assert.Equal("'/a/b' is a directory: remove the keys below it", Refused(state, StoreOp.Remove, "/a/b").Reason);
        var below = Refused(state, StoreOp.Put, "/a/b/c/d");
        Assert.Equal(StoreErrorKind.NotADirectory, below.Kind);
        Assert.Equal("'/a/b/c' is a key with a value, not a directory: '/a/b/c/d' cannot be below it", below.Reason);
        Assert.Equal(StoreErrorKind.IsDirectory, state.Apply(StoreOp.Put, StorePath.Root, null, Bytes("v"), Ring).Failure!.Kind);
    }

    [Fact]
    public void Conditional_writes_compare_the_keys_version_zero_meaning_absent()
    {
        var state = Put(StoreState.Empty, "/a", "1", expected: 0);
        Assert.Equal("'/a' is at version 1, the write expected version 0", Refused(state, StoreOp.Put, "/a", 0).Reason);
        state = Put(state, "/a", "2", expected: 1);
        var conflict = Refused(state, StoreOp.Put, "/a", 1);
        Assert.Equal(StoreErrorKind.Conflict, conflict.Kind);
        Assert.Equal("'/a' is at version 2, the write expected version 1", conflict.Reason);
        Assert.Equal(StoreErrorKind.Conflict, Refused(state, StoreOp.Remove, "/a", 1).Kind);
        Assert.Equal("'/b' does not exist, the write expected version 3", Refused(state, StoreOp.Put, "/b", 3).Reason);
        Assert.Equal(StoreErrorKind.NotFound, Refused(state, StoreOp.Remove, "/b").Kind);
        Assert.Equal(StoreErrorKind.NotFound, Refused(state, StoreOp.Remove, "/b", 0).Kind);
        // A refused write changes nothing, so the store version only counts applied writes.
        Assert.Equal(2ul, state.Version);
        var removed = state.Apply(StoreOp.Remove, StorePath.Parse("/a"), 2, ValueList<byte>.Empty, Ring).Next!;
        // Re-created, the key gets a version it never had: a client holding version 2 cannot mistake it.
        Assert.Equal(4ul, Put(removed, "/a", "3", expected: 0).Get(StorePath.Parse("/a"))!.Version);
    }

    [Fact]
    public void The_digest_covers_contents_and_version_but_not_the_epoch()
    {
        var a = Put(Put(StoreState.Empty, "/x", "1"), "/y", "2");
        var b = Put(Put(StoreState.Empty, "/x", "1"), "/y", "2");
        Assert.Equal(a.Digest.ToArray(), b.Digest.ToArray());
        Assert.Equal(a.Digest.ToArray(), a.WithEpoch(new RingId(new NodeId(3), 99)).Digest.ToArray());
        Assert.NotEqual(a.Digest.ToArray(), Put(a, "/y", "2").Digest.ToArray());
        Assert.NotEqual(Put(StoreState.Empty, "/x", "1").Digest.ToArray(), Put(StoreState.Empty, "/x", "2").Digest.ToArray());
    }

    [Fact]
    public void Create_refuses_entries_that_are_not_a_tree()
    {
        var entry = new StoreEntry(Bytes("v"), 1);
        Assert.Contains("lies below '/a'", Assert.Throws<ArgumentException>(() =>
            StoreState.Create([new(StorePath.Parse("/a"), entry), new(StorePath.Parse("/a/b"), entry)], 1, default)).Message);
        Assert.Contains("outside 1..1", Assert.Throws<ArgumentException>(() =>
            StoreState.Create([new(StorePath.Parse("/a"), entry with { Version = 2 })], 1, default)).Message);
    }
}
