using Totem.Protocol.Config;

namespace Totem.Protocol.Tests.Config;

/// <summary>
/// Expected rows were produced by compiling totemconfig.c's own expressions with gcc
/// (token_timeout += (n - 2) * coef; (int)(token_timeout / (rbl + 0.2)); (int)(tr * 0.8 - 1000/HZ);
/// (int)(float)(1.2 * token_timeout), HZ = 100), not by this code.
/// </summary>
public class TotemTimeoutsDeriveTests
{
    [Theory]
    [InlineData(1, 3000, 4, 3000, 714, 561, 3600)]
    [InlineData(2, 3000, 4, 3000, 714, 561, 3600)]
    [InlineData(3, 3000, 4, 3650, 869, 685, 4380)]
    [InlineData(4, 3000, 4, 4300, 1023, 808, 5160)]
    [InlineData(5, 3000, 4, 4950, 1178, 932, 5940)]
    [InlineData(6, 3000, 4, 5600, 1333, 1056, 6720)]
    [InlineData(7, 3000, 4, 6250, 1488, 1180, 7500)]
    [InlineData(8, 3000, 4, 6900, 1642, 1303, 8280)]
    [InlineData(9, 3000, 4, 7550, 1797, 1427, 9060)]
    [InlineData(10, 3000, 4, 8200, 1952, 1551, 9840)]
    [InlineData(11, 3000, 4, 8850, 2107, 1675, 10620)]
    [InlineData(12, 3000, 4, 9500, 2261, 1798, 11400)]
    [InlineData(13, 3000, 4, 10150, 2416, 1922, 12180)]
    [InlineData(14, 3000, 4, 10800, 2571, 2046, 12960)]
    [InlineData(15, 3000, 4, 11450, 2726, 2170, 13740)]
    [InlineData(16, 3000, 4, 12100, 2880, 2294, 14520)]
    [InlineData(1, 1000, 4, 1000, 238, 180, 1200)]
    [InlineData(2, 1000, 4, 1000, 238, 180, 1200)]
    [InlineData(3, 1000, 4, 1650, 392, 303, 1980)]
    [InlineData(4, 1000, 4, 2300, 547, 427, 2760)]
    [InlineData(5, 1000, 4, 2950, 702, 551, 3540)]
    [InlineData(6, 1000, 4, 3600, 857, 675, 4320)]
    [InlineData(7, 1000, 4, 4250, 1011, 798, 5100)]
    [InlineData(8, 1000, 4, 4900, 1166, 922, 5880)]
    [InlineData(9, 1000, 4, 5550, 1321, 1046, 6660)]
    [InlineData(10, 1000, 4, 6200, 1476, 1170, 7440)]
    [InlineData(11, 1000, 4, 6850, 1630, 1294, 8220)]
    [InlineData(12, 1000, 4, 7500, 1785, 1418, 9000)]
    [InlineData(13, 1000, 4, 8150, 1940, 1542, 9780)]
    [InlineData(14, 1000, 4, 8800, 2095, 1666, 10560)]
    [InlineData(15, 1000, 4, 9450, 2250, 1790, 11340)]
    [InlineData(16, 1000, 4, 10100, 2404, 1913, 12120)]
    [InlineData(1, 10000, 10, 10000, 980, 774, 12000)]
    [InlineData(2, 10000, 10, 10000, 980, 774, 12000)]
    [InlineData(3, 10000, 10, 10650, 1044, 825, 12780)]
    [InlineData(4, 10000, 10, 11300, 1107, 875, 13560)]
    [InlineData(5, 10000, 10, 11950, 1171, 926, 14340)]
    [InlineData(6, 10000, 10, 12600, 1235, 978, 15120)]
    [InlineData(7, 10000, 10, 13250, 1299, 1029, 15900)]
    [InlineData(8, 10000, 10, 13900, 1362, 1079, 16680)]
    [InlineData(9, 10000, 10, 14550, 1426, 1130, 17460)]
    [InlineData(10, 10000, 10, 15200, 1490, 1182, 18240)]
    [InlineData(11, 10000, 10, 15850, 1553, 1232, 19020)]
    [InlineData(12, 10000, 10, 16500, 1617, 1283, 19800)]
    [InlineData(13, 10000, 10, 17150, 1681, 1334, 20580)]
    [InlineData(14, 10000, 10, 17800, 1745, 1386, 21360)]
    [InlineData(15, 10000, 10, 18450, 1808, 1436, 22140)]
    [InlineData(16, 10000, 10, 19100, 1872, 1487, 22920)]
    public void Derives_like_totemconfig_c(int nodes, uint token, uint rbl, uint effective, uint retransmit, uint hold, uint consensus)
    {
        // token 3000 / rbl 4 are the defaults: leave them unset to exercise the defaulting too.
        var settings = token == 3000 && rbl == 4
            ? TotemSettings.Default
            : new TotemSettings { Token = token, TokenRetransmitsBeforeLossConst = rbl };
        var t = TotemTimeouts.Derive(settings, nodes);
        Assert.Equal((effective, retransmit, hold, consensus), (t.Token, t.TokenRetransmit, t.Hold, t.Consensus));
        Assert.Equal(token, t.ConfiguredToken);
        Assert.Equal(rbl, t.TokenRetransmitsBeforeLossConst);
        Assert.Equal(nodes, t.NodeCount);
    }

    [Fact]
    public void Seed_numbers_come_out()
    {
        Assert.Equal(3650u, TotemTimeouts.Derive(TotemSettings.Default, 3).Token);
        Assert.Equal(4300u, TotemTimeouts.Derive(TotemSettings.Default, 4).Token);
        Assert.Equal(238u, TotemTimeouts.Derive(new TotemSettings { Token = 1000 }, 2).TokenRetransmit);
    }

    [Fact]
    public void Constant_defaults_are_corosyncs()
    {
        var t = TotemTimeouts.Derive(TotemSettings.Default, 5);
        Assert.Equal(
            (650u, 75u, 50u, 0u, 200u, 1000u, 2500u, 30u, 5u, 17u, 50u, 50u),
            (t.TokenCoefficient, t.TokenWarningPercent, t.Join, t.SendJoin, t.Merge, t.Downcheck, t.FailReceiveConst,
             t.SeqnoUnchangedConst, t.MissCountConst, t.MaxMessages, t.WindowSize, t.MaxNetworkDelay));
    }

    [Fact]
    public void Explicit_values_win_and_hold_follows_an_explicit_token_retransmit()
    {
        var t = TotemTimeouts.Derive(new TotemSettings
        {
            Token = 2000, TokenRetransmit = 500, Consensus = 9000, Join = 70, Merge = 300, Downcheck = 900,
            FailRecvConst = 100, SeqnoUnchangedConst = 20, MissCountConst = 3, MaxMessages = 10, WindowSize = 40,
            MaxNetworkDelay = 60, TokenWarning = 0, SendJoin = 5,
        }, 5);
        Assert.Equal(2000u + 3 * 650, t.Token);
        Assert.Equal(500u, t.TokenRetransmit);
        Assert.Equal(390u, t.Hold); // (int)(500 * 0.8 - 10)
        Assert.Equal((9000u, 70u, 300u, 900u, 100u, 20u, 3u, 10u, 40u, 60u, 0u, 5u),
            (t.Consensus, t.Join, t.Merge, t.Downcheck, t.FailReceiveConst, t.SeqnoUnchangedConst, t.MissCountConst,
             t.MaxMessages, t.WindowSize, t.MaxNetworkDelay, t.TokenWarningPercent, t.SendJoin));
    }

    [Fact]
    public void Zero_means_default_except_for_send_join_token_warning_and_token_coefficient()
    {
        var t = TotemTimeouts.Derive(new TotemSettings
        {
            Token = 0, TokenRetransmitsBeforeLossConst = 0, Join = 0, Consensus = 0, Hold = 0, TokenRetransmit = 0,
            TokenWarning = 0, SendJoin = 0, TokenCoefficient = 0,
        }, 6);
        Assert.Equal((3000u, 4u, 50u, 0u, 0u, 0u), (t.Token, t.TokenRetransmitsBeforeLossConst, t.Join, t.TokenWarningPercent, t.SendJoin, t.TokenCoefficient));
        Assert.Equal((714u, 561u, 3600u), (t.TokenRetransmit, t.Hold, t.Consensus));
    }

    [Fact]
    public void Coefficient_applies_to_an_explicit_token_only_above_two_nodes()
    {
        var settings = new TotemSettings { Token = 5000, TokenCoefficient = 100 };
        Assert.Equal(5000u, TotemTimeouts.Derive(settings, 2).Token);
        Assert.Equal(5000u + 14 * 100, TotemTimeouts.Derive(settings, 16).Token);
    }

    [Fact]
    public void Minimums_are_corosyncs()
    {
        Assert.Equal(30u, TotemTimeouts.MinimumTimeout);
        Assert.Equal(14u, TotemTimeouts.MinimumHoldTimeout);
    }
}
