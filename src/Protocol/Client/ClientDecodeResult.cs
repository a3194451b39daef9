using System.Diagnostics.CodeAnalysis;

namespace Totem.Protocol.Client;

/// <summary>The outcome of <see cref="ClientFrameCodec.Decode"/>: a frame, or the error to send back with a detail naming field and offset.</summary>
public readonly record struct ClientDecodeResult
{
    private ClientDecodeResult(ClientFrame? frame, ClientErrorCode? error, string detail)
    {
        Frame = frame;
        Error = error;
        Detail = detail;
    }

    public ClientFrame? Frame { get; }
    public ClientErrorCode? Error { get; }
    public string Detail { get; }

    [MemberNotNullWhen(true, nameof(Frame))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Frame is not null;

    public static ClientDecodeResult Success(ClientFrame frame) => new(frame, null, string.Empty);
    public static ClientDecodeResult Failure(ClientErrorCode error, string detail) => new(null, error, detail);
}
