using System.Buffers.Binary;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Wire;

public class TotemCodecFuzzTests
{
    private const int Iterations = 100_000;
    private const int PoolSize = 2_000;

    /// <summary>
    /// Valid packets, mutated (bit flips, truncations, extensions, planted counts, splices, random bodies),
    /// must never make the decoder throw; whatever it accepts must re-encode to exactly the same bytes.
    /// </summary>
    [Fact]
    public void Mutated_packets_never_throw_and_accepted_ones_are_canonical()
    {
        var rng = new Random(0x7075);
        var errors = new Dictionary<DecodeError, int>();
        var accepted = 0;
        var pool = Enumerable.Range(0, PoolSize).Select(_ => TotemCodec.Encode(MessageSamples.Random(rng))).ToArray();

        for (var i = 0; i < Iterations; i++)
        {
            var packet = Mutate(rng, pool[rng.Next(PoolSize)], pool[rng.Next(PoolSize)]);

            DecodeResult result;
            try
            {
                result = TotemCodec.Decode(packet);
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {i}: decoding {Convert.ToHexString(packet)} threw {e}");
                throw;
            }

            if (result.IsSuccess)
            {
                accepted++;
                var reencoded = TotemCodec.Encode(result.Message);
                if (!reencoded.AsSpan().SequenceEqual(packet))
                    Assert.Fail($"iteration {i}: {Convert.ToHexString(packet)} decoded as {result.Message} re-encodes to {Convert.ToHexString(reencoded)}");
            }
            else
            {
                if (string.IsNullOrEmpty(result.Detail)) Assert.Fail($"iteration {i}: {result.Error} without detail");
                errors[result.Error.Value] = errors.GetValueOrDefault(result.Error.Value) + 1;
            }
        }

        // The mutations must have exercised both outcomes and the main rejection paths.
        Assert.True(accepted > Iterations / 20, $"only {accepted} mutated packets decoded");
        foreach (var expected in new[]
                 {
                     DecodeError.TooShort, DecodeError.BadMagic, DecodeError.UnsupportedVersion, DecodeError.UnknownType,
                     DecodeError.Truncated, DecodeError.LengthMismatch, DecodeError.ListTooLong, DecodeError.InvalidValue,
                 })
            Assert.True(errors.ContainsKey(expected), $"no {expected} among {string.Join(", ", errors)}");
    }

    private static byte[] Mutate(Random rng, byte[] valid, byte[] other)
    {
        var packet = (byte[])valid.Clone();
        switch (rng.Next(7))
        {
            case 0: // bit flips
                for (var flips = rng.Next(1, 4); flips > 0; flips--)
                    packet[rng.Next(packet.Length)] ^= (byte)(1 << rng.Next(8));
                return packet;
            case 1: // truncation
                return packet[..rng.Next(packet.Length)];
            case 2: // extension
                var extra = new byte[rng.Next(1, 17)];
                rng.NextBytes(extra);
                return [.. packet, .. extra];
            case 3: // a planted count or large value at any offset
                if (packet.Length < 4) return packet;
                uint[] counts = [0, 1, 2, 30, 31, 384, 385, 0x7FFFFFFF, 0x80000000, uint.MaxValue, (uint)rng.Next(70_000)];
                BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(rng.Next(packet.Length - 3)), counts[rng.Next(counts.Length)]);
                return packet;
            case 4: // a random byte somewhere, often in the header
                packet[rng.Next(2) == 0 ? rng.Next(Math.Min(8, packet.Length)) : rng.Next(packet.Length)] = (byte)rng.Next(256);
                return packet;
            case 5: // splice of two packets
                return [.. packet[..rng.Next(packet.Length + 1)], .. other[rng.Next(other.Length + 1)..]];
            default: // a valid header with a random body
                var body = new byte[rng.Next(64)];
                rng.NextBytes(body);
                packet = [.. packet[..4], .. body];
                packet[3] = (byte)rng.Next(8);
                return packet;
        }
    }
}
