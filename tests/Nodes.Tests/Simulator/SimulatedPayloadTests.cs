using Totem.Nodes.Services;
using Totem.Nodes.Simulator;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>The checker knows a simulated message by its name: a padded message whose padding is not its name repeated is a corrupted one.</summary>
public sealed class SimulatedPayloadTests
{
    private static ValueList<byte> Framed(byte[] body) => ServiceFrame.Wrap(ServiceId.Application, body);

    [Theory]
    [InlineData("m0@1", 0)]
    [InlineData("m0@1", 5)]
    [InlineData("m0@1", 6)]
    [InlineData("m0@1", 9)]
    [InlineData("m0@1", 10)]
    [InlineData("m12345@3", 1024)]
    [InlineData("m7@2", 4099)]
    public void A_made_payload_is_known_by_its_name(string name, int size) =>
        Assert.Equal(name, SimulatedPayload.Name(Framed(SimulatedPayload.Make(name, size))));

    [Theory]
    [InlineData(9)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(100)]
    [InlineData(1023)]
    public void A_byte_changed_anywhere_in_the_padding_marks_it_corrupted(int position)
    {
        // "m12345@3" is bytes 0..7, the separator byte 8, the padding 9..1023.
        var body = SimulatedPayload.Make("m12345@3", 1024);
        body[position] ^= 0x20;
        Assert.Equal("m12345@3 (corrupted)", SimulatedPayload.Name(Framed(body)));
    }

    [Fact]
    public void Padding_shifted_by_a_byte_is_corrupted_though_it_repeats()
    {
        var body = SimulatedPayload.Make("m12345@3", 64);
        var shifted = body.AsSpan(10).ToArray();
        shifted.CopyTo(body, 9);
        Assert.Equal("m12345@3 (corrupted)", SimulatedPayload.Name(Framed(body)));
    }

    [Fact]
    public void Padding_after_an_empty_name_is_corrupted() =>
        Assert.Equal(" (corrupted)", SimulatedPayload.Name(Framed("#abc"u8.ToArray())));

    [Fact]
    public void A_cut_short_last_copy_is_whole() =>
        Assert.Equal("abc", SimulatedPayload.Name(Framed("abc#abcab"u8.ToArray())));
}
