using Totem.Protocol.Security;

namespace Totem.Protocol.Wire.Fuzzing;

/// <summary>
/// The receive path of a node with crypto on, for the fuzzer: node 2 opens what node 1 sealed with the same real key,
/// then decodes; a refusal is the documented rejection <see cref="DecodeError.Unauthenticated"/> naming the reason.
/// Two ways in: <see cref="OpenThenDecode"/> for mutations of sealed traffic (an attacker without the key, who can
/// only change bytes on the wire), and <see cref="SealThenOpenThenDecode"/> for mutations of the clear datagram sealed
/// afterwards (a key holder sending garbage: the only way a mutated datagram reaches the decoder behind the seal).
/// </summary>
public sealed class SealedDecodePath : IDisposable
{
    private static readonly NodeId Sender = new(1);
    private static readonly NodeId Receiver = new(2);
    private readonly DatagramSeal _sender;
    private readonly DatagramSeal _receiver;

    /// <param name="fillRandom">The sender's IVs; a seeded one makes a run replay exactly.</param>
    public SealedDecodePath(CryptoSettings settings, ReadOnlySpan<byte> authKey, Action<Span<byte>>? fillRandom = null)
    {
        _sender = new DatagramSeal(settings, authKey, "fuzz", Sender, bootEpoch: 2, fillRandom);
        _receiver = new DatagramSeal(settings, authKey, "fuzz", Receiver, bootEpoch: 2);
    }

    /// <summary>Real sealed traffic: each clear datagram sealed once, in order, to everyone or to the receiver as tokens are.</summary>
    public IReadOnlyList<byte[]> Seal(IReadOnlyList<byte[]> clear)
    {
        ArgumentNullException.ThrowIfNull(clear);
        return clear.Select((d, i) => _sender.Seal(d, i % 3 == 0 ? Receiver : DatagramSeal.Everyone)).ToArray();
    }

    public DecodeResult OpenThenDecode(ReadOnlySpan<byte> wire) =>
        _receiver.TryOpen(wire, out var plain, out var failure)
            ? TotemCodec.Decode(plain)
            : DecodeResult.Failure(DecodeError.Unauthenticated, failure.ToString());

    public DecodeResult SealThenOpenThenDecode(ReadOnlySpan<byte> clear) => OpenThenDecode(_sender.Seal(clear, Receiver));

    public void Dispose()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }
}
