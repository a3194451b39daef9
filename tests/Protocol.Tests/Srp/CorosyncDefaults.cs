using Totem.Protocol.Config;

namespace Totem.Protocol.Tests.Srp;

/// <summary>corosync 3's default timeouts for a nodelist of N nodes (exec/totemconfig.c), for the tests.</summary>
internal static class CorosyncDefaults
{
    public static TotemTimeouts For(int nodeCount, uint token = 3000, uint? consensus = null, uint? hold = null)
    {
        const uint coefficient = 650;
        var effective = nodeCount > 2 ? token + (uint)(nodeCount - 2) * coefficient : token;
        var retransmit = (uint)(effective / (4 + 0.2));
        var holdMs = hold ?? (uint)(retransmit * 0.8 - 10);
        var consensusMs = consensus ?? (uint)(1.2 * effective);
        return new TotemTimeouts(
            NodeCount: nodeCount, ConfiguredToken: token, TokenCoefficient: coefficient, Token: effective,
            TokenRetransmit: retransmit, Hold: holdMs, TokenWarningPercent: 75, TokenRetransmitsBeforeLossConst: 4,
            Join: 50, SendJoin: 0, Consensus: consensusMs, Merge: 200, Downcheck: 1000, FailReceiveConst: 2500,
            SeqnoUnchangedConst: 30, MissCountConst: 5, MaxMessages: 17, WindowSize: 50, MaxNetworkDelay: 50);
    }
}
