using System.Diagnostics.CodeAnalysis;

namespace Totem.Protocol.Wire;

/// <summary>The outcome of <see cref="TotemCodec.Decode"/>: a message, or an error with a detail naming the field and offset.</summary>
public readonly record struct DecodeResult
{
    private DecodeResult(TotemMessage? message, DecodeError? error, string detail)
    {
        Message = message;
        Error = error;
        Detail = detail;
    }

    public TotemMessage? Message { get; }
    public DecodeError? Error { get; }
    public string Detail { get; }

    [MemberNotNullWhen(true, nameof(Message))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Message is not null;

    public static DecodeResult Success(TotemMessage message) => new(message, null, string.Empty);
    public static DecodeResult Failure(DecodeError error, string detail) => new(null, error, detail);

    public override string ToString() => IsSuccess ? Message.ToString() : $"{Error}: {Detail}";
}
