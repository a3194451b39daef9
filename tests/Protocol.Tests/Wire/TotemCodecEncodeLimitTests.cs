using Totem.Protocol.Wire;
using static Totem.Protocol.Tests.Wire.MessageSamples;

namespace Totem.Protocol.Tests.Wire;

public class TotemCodecEncodeLimitTests
{
    private sealed record UnknownMessage(NodeId Sender) : TotemMessage(Sender);

    private static McastMessage Mcast(ValueList<byte> payload, McastMessage? encapsulated = null) =>
        new(Node(1), Ring(1, 4), 1, Node(1), DeliveryGuarantee.Agreed, payload.Count == 0 ? PgFrame.Empty : PgFrame.Single(payload), encapsulated);

    private static void AssertRejected(TotemMessage message, params string[] expectedInMessage)
    {
        var error = Assert.Throws<ArgumentException>(() => TotemCodec.Encode(message));
        foreach (var text in expectedInMessage) Assert.Contains(text, error.Message);
    }

    [Fact]
    public void A_payload_above_the_limit_is_refused() =>
        AssertRejected(Mcast(Payload(TotemCodec.MaxPayloadSize + 1, 1)), "McastMessage.Data", $"{TotemCodec.MaxPayloadSize + 1} entries");

    [Fact]
    public void A_payload_at_the_limit_is_accepted() =>
        Assert.Equal(TotemCodec.MaxPayloadSize, ((McastMessage)TotemCodec.Decode(TotemCodec.Encode(Mcast(Payload(TotemCodec.MaxPayloadSize, 1)))).Message!).Frame.Data.Count);

    [Fact]
    public void A_message_larger_than_the_largest_datagram_is_refused() =>
        AssertRejected(Mcast(Payload(10, 1), Mcast(Payload(TotemCodec.MaxPayloadSize, 2))),
            $"encodes to {TotemCodec.MaxDatagramSize + 10 + 2} bytes", $"largest datagram is {TotemCodec.MaxDatagramSize}");

    [Fact]
    public void A_retransmit_list_above_corosyncs_limit_is_refused() =>
        AssertRejected(
            new OrfToken(Node(1), Ring(1, 4), 0, 0, 0, Node(0), 0, 0, false,
                Enumerable.Range(0, TotemCodec.MaxRetransmitEntries + 1).Select(i => (uint)i).ToValueList()),
            "OrfToken.RetransmitList", "at most 30");

    [Fact]
    public void A_proc_list_above_the_processor_limit_is_refused() =>
        AssertRejected(
            new JoinMessage(Node(1), 4, Enumerable.Range(1, TotemCodec.MaxMembers + 1).Select(i => Node((uint)i)).ToValueList(), ValueList<NodeId>.Empty),
            "JoinMessage.ProcList", "at most 384");

    [Fact]
    public void Two_levels_of_encapsulation_are_refused() =>
        AssertRejected(Mcast(ValueList<byte>.Empty, Mcast(ValueList<byte>.Empty, Mcast(Payload(1, 1)))), "McastMessage.Encapsulated.Encapsulated");

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void A_commit_token_index_outside_the_member_list_is_refused(int memberIndex)
    {
        var members = Enumerable.Range(1, 2).Select(i => new CommitMember(Node((uint)i), Ring(1, 4), 0, 0, false)).ToValueList();
        AssertRejected(new CommitToken(Node(1), Ring(1, 8), 0, memberIndex, members), "CommitToken.MemberIndex", memberIndex.ToString());
    }

    [Fact]
    public void An_unknown_delivery_guarantee_is_refused() =>
        AssertRejected(new McastMessage(Node(1), Ring(1, 4), 1, Node(1), (DeliveryGuarantee)9, PgFrame.Empty, null), "Guarantee", "9");

    [Fact]
    public void A_message_type_without_a_codec_is_refused() =>
        AssertRejected(new UnknownMessage(Node(1)), "UnknownMessage has no wire codec");

    [Fact]
    public void A_destination_that_is_too_small_is_refused()
    {
        var message = new MergeDetect(Node(1), Ring(1, 4));
        var error = Assert.Throws<ArgumentException>(() => TotemCodec.Encode(message, new byte[10]));
        Assert.Contains("needs 20 bytes", error.Message);
    }
}
