using System.Buffers.Binary;
using System.Text;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Config.Reload;

/// <summary>
/// The body of a cfg message on the ring (the service byte in front of it is the node's service framing): message id
/// (0 reload requested, 1 reload reported), then little-endian fields: requester, request id; for a report also the
/// outcome byte, config_version and the detail as a u16 length and UTF-8 (cut to <see cref="MaxDetailBytes"/>).
/// </summary>
public static class CfgMessageCodec
{
    private const byte RequestedId = 0;
    private const byte ReportedId = 1;
    private const int RequestedLength = 1 + 4 + 4;
    private const int ReportedHeader = RequestedLength + 1 + 8 + 2;

    /// <summary>Enough for a few dozen file:line messages; a longer detail is cut, the node's own log keeps all of it.</summary>
    public const int MaxDetailBytes = 8192;

    public static byte[] Encode(CfgMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message)
        {
            case ReloadRequested r:
            {
                var bytes = new byte[RequestedLength];
                Header(bytes, RequestedId, r.Requester, r.RequestId);
                return bytes;
            }
            case ReloadReported r:
            {
                var detail = Encoding.UTF8.GetBytes(r.Detail);
                var length = Math.Min(detail.Length, MaxDetailBytes);
                var bytes = new byte[ReportedHeader + length];
                Header(bytes, ReportedId, r.Requester, r.RequestId);
                bytes[RequestedLength] = (byte)r.Outcome;
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(RequestedLength + 1), r.ConfigVersion);
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(RequestedLength + 9), (ushort)length);
                detail.AsSpan(0, length).CopyTo(bytes.AsSpan(ReportedHeader));
                return bytes;
            }
            default:
                throw new ArgumentException($"unknown cfg message {message.GetType().Name}", nameof(message));
        }
    }

    /// <summary>Decodes a cfg payload; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static CfgMessage Decode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 0) throw new FormatException("cfg message is empty");
        switch (payload[0])
        {
            case RequestedId:
                if (payload.Length != RequestedLength)
                    throw new FormatException($"cfg reload request is {payload.Length} bytes, expected {RequestedLength}");
                return new ReloadRequested(Requester(payload), RequestId(payload));
            case ReportedId:
            {
                if (payload.Length < ReportedHeader)
                    throw new FormatException($"cfg reload report is {payload.Length} bytes, shorter than its {ReportedHeader}-byte header");
                var outcome = (ReloadOutcome)payload[RequestedLength];
                if (!Enum.IsDefined(outcome)) throw new FormatException($"cfg reload report has unknown outcome {payload[RequestedLength]}");
                var length = BinaryPrimitives.ReadUInt16LittleEndian(payload[(RequestedLength + 9)..]);
                if (payload.Length != ReportedHeader + length)
                    throw new FormatException($"cfg reload report is {payload.Length} bytes, its detail length says {ReportedHeader + length}");
                string detail;
                try
                {
                    detail = new UTF8Encoding(false, true).GetString(payload[ReportedHeader..]);
                }
                catch (DecoderFallbackException)
                {
                    throw new FormatException("cfg reload report's detail is not UTF-8");
                }
                return new ReloadReported(Requester(payload), RequestId(payload), outcome,
                    BinaryPrimitives.ReadUInt64LittleEndian(payload[(RequestedLength + 1)..]), detail);
            }
            default:
                throw new FormatException($"unknown cfg message id {payload[0]}");
        }
    }

    private static void Header(Span<byte> bytes, byte id, NodeId requester, uint requestId)
    {
        bytes[0] = id;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[1..], requester.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[5..], requestId);
    }

    private static NodeId Requester(ReadOnlySpan<byte> payload) => new(BinaryPrimitives.ReadUInt32LittleEndian(payload[1..]));

    private static uint RequestId(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadUInt32LittleEndian(payload[5..]);
}
