using System.Buffers.Binary;
using System.Text;
using Totem.Protocol.Store;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Store;

public class StoreCodecTests
{
    private static readonly RingId Ring = new(new NodeId(2), 0x1234);

    private static StoreMessage[] Samples() =>
    [
        new StoreWrite(Ring, 7, StoreOp.Put, StorePath.Parse("/etc/pve/corosync.conf"), null, Encoding.UTF8.GetBytes("totem {}").ToValueList()),
        new StoreWrite(Ring, ulong.MaxValue, StoreOp.Put, StorePath.Parse("/a"), 0, ValueList<byte>.Empty),
        new StoreWrite(Ring, 1, StoreOp.Remove, StorePath.Parse("/ключ"), 42, ValueList<byte>.Empty),
        new StoreWrite(Ring, 2, StoreOp.Put, StorePath.Parse("/big"), null, new byte[StoreLimits.MaxValueBytes].ToValueList()),
        new StoreSummary(Ring, 99, new RingId(new NodeId(1), 8), true, Enumerable.Range(0, 32).Select(i => (byte)i).ToValueList()),
        new StoreSummary(Ring, 0, default, false, new byte[32].ToValueList()),
        new StoreStateChunk(Ring, 0, 1, new byte[] { 1, 2, 3 }.ToValueList()),
        new StoreStateChunk(Ring, 4, 5, new byte[StoreLimits.MaxChunkBytes].ToValueList()),
    ];

    private static StoreState SampleState()
    {
        var state = StoreState.Empty;
        var ring = new RingId(new NodeId(1), 8);
        foreach (var (path, value) in new[] { ("/a/b", "1"), ("/a/c", "22"), ("/z", ""), ("/ü", "ü") })
            state = state.Apply(StoreOp.Put, StorePath.Parse(path), null, Encoding.UTF8.GetBytes(value).ToValueList(), ring).Next!;
        return state.WithEpoch(new RingId(new NodeId(3), 40));
    }

    [Fact]
    public void Every_message_round_trips_and_stays_within_the_limit()
    {
        foreach (var message in Samples())
        {
            var bytes = StoreMessageCodec.Encode(message);
            Assert.True(bytes.Length <= StoreLimits.MaxMessageBytes);
            Assert.Equal(message, StoreMessageCodec.Decode(bytes));
        }
        var longest = new StoreWrite(Ring, 1, StoreOp.Put, StorePath.Parse("/" + string.Join("/", Enumerable.Repeat(new string('p', 200), 5)) + "/" + new string('q', 18)),
            0, new byte[StoreLimits.MaxValueBytes].ToValueList());
        Assert.Equal(StoreLimits.MaxPathBytes, longest.Path.Value.Length);
        Assert.True(StoreMessageCodec.Encode(longest).Length <= StoreLimits.MaxMessageBytes);
        // With the service byte, a store message fits what the packing layer carries.
        Assert.True(StoreLimits.MaxMessageBytes + 1 <= Totem.Protocol.Pg.PgLimits.MaxMessageBytes);
    }

    [Fact]
    public void The_state_round_trips_and_equal_states_encode_alike()
    {
        var state = SampleState();
        var decoded = StoreStateCodec.Decode(StoreStateCodec.Encode(state));
        Assert.Equal(state.Version, decoded.Version);
        Assert.Equal(state.Epoch, decoded.Epoch);
        Assert.Equal(state.Entries, decoded.Entries);
        Assert.Equal(StoreStateCodec.Encode(state), StoreStateCodec.Encode(decoded));
        Assert.Equal(0, StoreStateCodec.Decode(StoreStateCodec.Encode(StoreState.Empty)).Count);
    }

    [Theory]
    [InlineData(new byte[0], "store message is empty")]
    [InlineData(new byte[] { 9 }, "unknown store message id 9 (byte 0)")]
    [InlineData(new byte[] { 0, 0, 0 }, "StoreWrite.Ring.Representative needs 4 bytes at offset 1")]
    [InlineData(new byte[] { 1, 0, 0, 0, 2 }, "StoreSummary.Ring.Seq needs 8 bytes at offset 5")]
    public void Short_and_unknown_messages_are_refused(byte[] bytes, string error) =>
        Assert.Contains(error, Assert.Throws<FormatException>(() => StoreMessageCodec.Decode(bytes)).Message);

    // Offsets in a write: id 0, ring 1..12, request 13..20, op 21, has-expected 22, expected 23..30, path length 31..34, path 35..
    [Theory]
    [InlineData(21, 7, "StoreWrite.Op is 7 at offset 21")]
    [InlineData(22, 2, "StoreWrite.HasExpected is 2 at offset 22; a flag must be 0 or 1")]
    [InlineData(30, 5, "StoreWrite.ExpectedVersion is 5 at offset 23 without the has-expected flag")]
    [InlineData(36, 0, "StoreWrite.Path at offset 31: store path '/\\u0000' has a control character (U+0000) at offset 1")]
    [InlineData(36, 0xff, "StoreWrite.Path at offset 31 is not UTF-8")]
    [InlineData(35, (byte)'x', "StoreWrite.Path at offset 31: store path 'xa' is not absolute")]
    public void A_write_with_a_bad_field_is_refused_naming_it(int offset, byte value, string error)
    {
        var bytes = StoreMessageCodec.Encode(new StoreWrite(Ring, 7, StoreOp.Put, StorePath.Parse("/a"), null, new byte[] { 1 }.ToValueList()));
        bytes[offset] = value;
        Assert.Contains(error, Assert.Throws<FormatException>(() => StoreMessageCodec.Decode(bytes)).Message);
    }

    [Fact]
    public void Lengths_that_do_not_add_up_or_break_a_limit_are_refused()
    {
        var write = StoreMessageCodec.Encode(new StoreWrite(Ring, 7, StoreOp.Put, StorePath.Parse("/a"), null, new byte[] { 1 }.ToValueList()));
        Assert.Contains("StoreWrite.End 1 bytes follow the last field at offset 42", Assert.Throws<FormatException>(() => StoreMessageCodec.Decode([.. write, 0])).Message);
        Assert.Contains("StoreWrite.Value count 1 at offset 37 needs 1 bytes but the datagram has 0 left", Assert.Throws<FormatException>(() => StoreMessageCodec.Decode(write[..^1])).Message);

        var oversize = (byte[])write.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(oversize.AsSpan(37), StoreLimits.MaxValueBytes + 1);
        Assert.Contains($"StoreWrite.Value count {StoreLimits.MaxValueBytes + 1} at offset 37 exceeds the limit of {StoreLimits.MaxValueBytes}",
            Assert.Throws<FormatException>(() => StoreMessageCodec.Decode(oversize)).Message);

        var root = StoreMessageCodec.Encode(new StoreWrite(Ring, 7, StoreOp.Put, StorePath.Parse("/a"), null, ValueList<byte>.Empty));
        root[36] = (byte)'/';
        Assert.Contains("store path '//'", Assert.Throws<FormatException>(() => StoreMessageCodec.Decode(root)).Message);

        var remove = StoreMessageCodec.Encode(new StoreWrite(Ring, 7, StoreOp.Put, StorePath.Parse("/a"), null, new byte[] { 1 }.ToValueList()));
        remove[21] = (byte)StoreOp.Remove;
        Assert.Contains("StoreWrite.Value at offset 37 has 1 bytes; a remove carries none", Assert.Throws<FormatException>(() => StoreMessageCodec.Decode(remove)).Message);

        var chunk = StoreMessageCodec.Encode(new StoreStateChunk(Ring, 1, 2, ValueList<byte>.Empty));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(13), 2);
        Assert.Contains("StoreStateChunk.Index is 2 at offset 13, not below the count 2", Assert.Throws<FormatException>(() => StoreMessageCodec.Decode(chunk)).Message);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(17), 0);
        Assert.Contains("StoreStateChunk.Count is 0 at offset 17", Assert.Throws<FormatException>(() => StoreMessageCodec.Decode(chunk)).Message);

        var summary = StoreMessageCodec.Encode(Samples()[4]);
        Assert.Contains("StoreSummary.Digest needs 32 bytes at offset 34 but the message has 31 left",
            Assert.Throws<FormatException>(() => StoreMessageCodec.Decode(summary[..^1])).Message);
        Assert.Contains($"store message has {StoreLimits.MaxMessageBytes + 1} bytes, the limit is {StoreLimits.MaxMessageBytes}",
            Assert.Throws<FormatException>(() => StoreMessageCodec.Decode(new byte[StoreLimits.MaxMessageBytes + 1])).Message);
    }

    [Fact]
    public void The_encoder_refuses_what_the_decoder_would()
    {
        Assert.Throws<ArgumentException>(() => StoreMessageCodec.Encode(new StoreWrite(Ring, 1, StoreOp.Put, StorePath.Root, null, ValueList<byte>.Empty)));
        Assert.Throws<ArgumentException>(() => StoreMessageCodec.Encode(new StoreWrite(Ring, 1, StoreOp.Remove, StorePath.Parse("/a"), null, new byte[] { 1 }.ToValueList())));
        Assert.Throws<ArgumentException>(() => StoreMessageCodec.Encode(new StoreWrite(Ring, 1, StoreOp.Put, StorePath.Parse("/a"), null, new byte[StoreLimits.MaxValueBytes + 1].ToValueList())));
        Assert.Throws<ArgumentException>(() => StoreMessageCodec.Encode(new StoreSummary(Ring, 1, Ring, true, new byte[31].ToValueList())));
        Assert.Throws<ArgumentException>(() => StoreMessageCodec.Encode(new StoreStateChunk(Ring, 1, 1, ValueList<byte>.Empty)));
    }

    [Fact]
    public void A_bad_snapshot_is_refused_naming_the_field()
    {
        var bytes = StoreStateCodec.Encode(SampleState());
        Assert.Contains("StoreState.Magic is 0x00535354", Refuse(Patched(bytes, 0, 0)));
        Assert.Contains("StoreState.Format is 2; this build reads format 1", Refuse(Patched(bytes, 4, 2)));
        Assert.Contains("StoreState.End 1 bytes follow the last key", Refuse([.. bytes, 0]));
        Assert.Contains("needs", Refuse(bytes[..^1]));

        // Offsets: magic 0..3, format 4, epoch 5..16, version 17..24, count 25..28, then "/a/b": path length 29..32, path 33..36,
        // version 37..44, value 45..49; "/a/c": path length 50..53, path 54..57.
        Assert.Contains("StoreState.Keys[1].Path '/a/b' at offset 50 does not follow '/a/b' in path order", Refuse(Patched(bytes, 57, (byte)'b')));
        var version = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt64BigEndian(version.AsSpan(17), 1);
        Assert.Contains("StoreState.Keys[1].Version of '/a/c' is 2, outside 1..1", Refuse(version));
        var count = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(count.AsSpan(25), StoreLimits.MaxKeys + 1);
        Assert.Contains("exceeds the limit", Refuse(count));

        var ring = new RingId(new NodeId(1), 1);
        var nested = StoreState.Empty.Apply(StoreOp.Put, StorePath.Parse("/a"), null, ValueList<byte>.Empty, ring).Next!
            .Apply(StoreOp.Put, StorePath.Parse("/b/c"), null, ValueList<byte>.Empty, ring).Next!;
        var tampered = StoreStateCodec.Encode(nested);
        // "/b/c" -> "/a/c": a key below the key "/a".
        tampered[tampered.Length - 4 - 8 - 4 + 1] = (byte)'a';
        Assert.Contains("store state: '/a/c' lies below '/a', which is a key with a value", Refuse(tampered));
    }

    private static byte[] Patched(byte[] bytes, int offset, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] = value;
        return copy;
    }

    private static string Refuse(byte[] bytes) => Assert.Throws<FormatException>(() => StoreStateCodec.Decode(bytes)).Message;

    [Fact]
    public void Mutated_messages_and_snapshots_are_refused_with_a_reason_or_decode_canonically()
    {
        var rng = new Random(0x5704E);
        var messages = Samples().Where(m => StoreMessageCodec.Encode(m).Length < 1024).Select(StoreMessageCodec.Encode).ToArray();
        var snapshot = StoreStateCodec.Encode(SampleState());
        int accepted = 0, refused = 0;
        for (var i = 0; i < 4000; i++)
        {
            var snapshotCase = i % 4 == 3;
            var bytes = Mutate(rng, snapshotCase ? snapshot : messages[rng.Next(messages.Length)]);
            try
            {
                // Accepted input is canonical: it encodes back to the very bytes.
                var again = snapshotCase ? StoreStateCodec.Encode(StoreStateCodec.Decode(bytes)) : StoreMessageCodec.Encode(StoreMessageCodec.Decode(bytes));
                Assert.Equal(bytes, again);
                accepted++;
            }
            catch (FormatException error)
            {
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
                refused++;
            }
        }
        Assert.True(accepted > 200 && refused > 2000, $"{accepted} accepted, {refused} refused");
    }

    private static byte[] Mutate(Random rng, byte[] original)
    {
        var bytes = original.ToList();
        for (var n = rng.Next(1, 4); n > 0; n--)
        {
            switch (rng.Next(5))
            {
                case 0 when bytes.Count > 0: bytes[rng.Next(bytes.Count)] ^= (byte)(1 << rng.Next(8)); break;
                case 1 when bytes.Count > 0: bytes[rng.Next(bytes.Count)] = (byte)rng.Next(256); break;
                case 2 when bytes.Count > 0: bytes.RemoveRange(rng.Next(bytes.Count), 1); break;
                case 3: bytes.Insert(rng.Next(bytes.Count + 1), (byte)rng.Next(256)); break;
                case 4 when bytes.Count > 0:
                    var cut = rng.Next(bytes.Count);
                    bytes.RemoveRange(cut, bytes.Count - cut);
                    break;
                default: break;
            }
        }
        return bytes.ToArray();
    }
}
