using System.Buffers.Binary;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Quorum;

/// <summary>
/// The payload layout of votequorum messages on the ring: service id (corosync's VOTEQUORUM_SERVICE, 5), message id
/// (0 node-info, 1 reconfigure, as votequorum numbers them), then the fields little-endian
/// (node-info: node id, votes, expected votes, flags; reconfigure: node id, value, param).
/// </summary>
public static class QuorumMessageCodec
{
    public const byte ServiceId = 5;
    private const byte NodeInfoId = 0;
    private const byte ReconfigureId = 1;
    private const int NodeInfoLength = 2 + 4 * 4;
    private const int ReconfigureLength = 2 + 4 + 4 + 1;

    /// <summary>Whether a delivered payload belongs to votequorum (other services may share the ring).</summary>
    public static bool IsQuorumPayload(ReadOnlySpan<byte> payload) => payload.Length >= 1 && payload[0] == ServiceId;

    public static byte[] Encode(QuorumMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message)
        {
            case NodeInfo n:
            {
                var bytes = new byte[NodeInfoLength];
                bytes[0] = ServiceId;
                bytes[1] = NodeInfoId;
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(2), n.NodeId.Value);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(6), n.Votes);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(10), n.ExpectedVotes);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(14), (uint)n.Flags);
                return bytes;
            }
            case Reconfigure r:
            {
                var bytes = new byte[ReconfigureLength];
                bytes[0] = ServiceId;
                bytes[1] = ReconfigureId;
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(2), r.NodeId.Value);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(6), r.Value);
                bytes[10] = (byte)r.Param;
                return bytes;
            }
            default:
                throw new ArgumentException($"unknown quorum message {message.GetType().Name}", nameof(message));
        }
    }

    /// <summary>Decodes a votequorum payload; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static QuorumMessage Decode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 2)
            throw new FormatException($"votequorum message too short: {payload.Length} bytes, need at least 2");
        if (payload[0] != ServiceId)
            throw new FormatException($"not a votequorum message: service id {payload[0]}, expected {ServiceId}");
        switch (payload[1])
        {
            case NodeInfoId:
                ExpectLength(payload, NodeInfoLength, "nodeinfo");
                return new NodeInfo(
                    new NodeId(BinaryPrimitives.ReadUInt32LittleEndian(payload[2..])),
                    BinaryPrimitives.ReadUInt32LittleEndian(payload[6..]),
                    BinaryPrimitives.ReadUInt32LittleEndian(payload[10..]),
                    (NodeInfoFlags)BinaryPrimitives.ReadUInt32LittleEndian(payload[14..]));
            case ReconfigureId:
                ExpectLength(payload, ReconfigureLength, "reconfigure");
                var param = payload[10];
                if (!Enum.IsDefined(typeof(ReconfigureParam), param))
                    throw new FormatException($"votequorum reconfigure message has unknown param {param} (byte 10)");
                return new Reconfigure(
                    new NodeId(BinaryPrimitives.ReadUInt32LittleEndian(payload[2..])),
                    (ReconfigureParam)param,
                    BinaryPrimitives.ReadUInt32LittleEndian(payload[6..]));
            default:
                throw new FormatException($"unknown votequorum message id {payload[1]} (byte 1)");
        }
    }

    private static void ExpectLength(ReadOnlySpan<byte> payload, int length, string kind)
    {
        if (payload.Length != length)
            throw new FormatException($"votequorum {kind} message has {payload.Length} bytes, expected {length}");
    }
}
