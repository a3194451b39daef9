using System.Buffers.Binary;
using System.Collections.Immutable;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Sync;

/// <summary>
/// The body of a sync message on the ring (the service byte in front of it is the node's service framing): message id
/// (0 barrier, 1 service build, as sync.c numbers them), the ring id (representative, seq; little-endian), and for a
/// service build the count of service ids and the ids.
/// </summary>
public static class SyncMessageCodec
{
    private const byte BarrierId = 0;
    private const byte ServiceBuildId = 1;
    private const int HeaderLength = 1 + 4 + 8;

    public static byte[] Encode(SyncMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var services = message is SyncServiceBuild build ? build.Services.Items : ImmutableArray<byte>.Empty;
        if (services.Length > byte.MaxValue)
            throw new ArgumentException($"a sync service build lists {services.Length} services, at most {byte.MaxValue} fit", nameof(message));
        var bytes = new byte[HeaderLength + (message is SyncServiceBuild ? 1 + services.Length : 0)];
        bytes[0] = message switch
        {
            SyncBarrier => BarrierId,
            SyncServiceBuild => ServiceBuildId,
            _ => throw new ArgumentException($"unknown sync message {message.GetType().Name}", nameof(message)),
        };
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(1), message.Ring.Representative.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(5), message.Ring.Seq);
        if (message is SyncServiceBuild)
        {
            bytes[HeaderLength] = (byte)services.Length;
            services.AsSpan().CopyTo(bytes.AsSpan(HeaderLength + 1));
        }
        return bytes;
    }

    /// <summary>Decodes a sync payload; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static SyncMessage Decode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < HeaderLength)
            throw new FormatException($"sync message has {payload.Length} bytes, at least {HeaderLength} expected (id and ring id)");
        var ring = new RingId(new NodeId(BinaryPrimitives.ReadUInt32LittleEndian(payload[1..])), BinaryPrimitives.ReadUInt64LittleEndian(payload[5..]));
        switch (payload[0])
        {
            case BarrierId:
                if (payload.Length != HeaderLength)
                    throw new FormatException($"sync barrier message has {payload.Length} bytes, expected {HeaderLength}");
                return new SyncBarrier(ring);
            case ServiceBuildId:
                if (payload.Length < HeaderLength + 1)
                    throw new FormatException($"sync service build message has {payload.Length} bytes, the service count (byte {HeaderLength}) is missing");
                var count = payload[HeaderLength];
                if (payload.Length != HeaderLength + 1 + count)
                    throw new FormatException($"sync service build message lists {count} services in {payload.Length - HeaderLength - 1} bytes");
                return new SyncServiceBuild(ring, payload.Slice(HeaderLength + 1, count).ToArray().ToValueList());
            default:
                throw new FormatException($"unknown sync message id {payload[0]} (byte 0)");
        }
    }
}
