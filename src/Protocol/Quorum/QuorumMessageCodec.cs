using System.Buffers.Binary;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Quorum;

/// <summary>
/// The body of a votequorum message on the ring (the service byte in front of it is the node's service framing):
/// message id (0 node-info, 1 reconfigure, as votequorum numbers them), then the fields little-endian
/// (node-info: node id, votes, expected votes, flags; reconfigure: node id, value, param).
/// </summary>
public static class QuorumMessageCodec
{
    private const byte NodeInfoId = 0;
    private const byte ReconfigureId = 1;
    private const int NodeInfoLength = 1 + 4 * 4;
    private const int ReconfigureLength = 1 + 4 + 4 + 1;

    public static byte[] Encode(QuorumMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message)
        {
            case NodeInfo n:
            {
                var bytes = new byte[NodeInfoLength];
                bytes[0] = NodeInfoId;
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(1), n.NodeId.Value);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(5), n.Votes);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(9), n.ExpectedVotes);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(13), (uint)n.Flags);
                return bytes;
            }
            case Reconfigure r:
            {
                var bytes = new byte[ReconfigureLength];
                bytes[0] = ReconfigureId;
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(1), r.NodeId.Value);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(5), r.Value);
                bytes[9] = (byte)r.Param;
                return bytes;
            }
            default:
                throw new ArgumentException($"unknown quorum message {message.GetType().Name}", nameof(message));
        }
    }

    /// <summary>Decodes a votequorum payload; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static QuorumMessage Decode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 0)
            throw new FormatException("votequorum message is empty");
        switch (payload[0])
        {
            case NodeInfoId:
                ExpectLength(payload, NodeInfoLength, "nodeinfo");
                return new NodeInfo(
                    new NodeId(BinaryPrimitives.ReadUInt32LittleEndian(payload[1..])),
                    BinaryPrimitives.ReadUInt32LittleEndian(payload[5..]),
                    BinaryPrimitives.ReadUInt32LittleEndian(payload[9..]),
                    (NodeInfoFlags)BinaryPrimitives.ReadUInt32LittleEndian(payload[13..]));
            case ReconfigureId:
                ExpectLength(payload, ReconfigureLength, "reconfigure");
                var param = payload[9];
                if (!Enum.IsDefined(typeof(ReconfigureParam), param))
                    throw new FormatException($"votequorum reconfigure message has unknown param {param} (byte 9)");
                return new Reconfigure(
                    new NodeId(BinaryPrimitives.ReadUInt32LittleEndian(payload[1..])),
                    (ReconfigureParam)param,
                    BinaryPrimitives.ReadUInt32LittleEndian(payload[5..]));
            default:
                throw new FormatException($"unknown votequorum message id {payload[0]} (byte 0)");
        }
    }

    private static void ExpectLength(ReadOnlySpan<byte> payload, int length, string kind)
    {
        if (payload.Length != length)
            throw new FormatException($"votequorum {kind} message has {payload.Length} bytes, expected {length}");
    }
}
