namespace Totem.Protocol.Config;

/// <summary>
/// corosync's totem_volatile_config_validate (exec/totemconfig.c) on derived timeouts. The checks
/// run on the runtime values, so a token too small for its retransmit count is caught even when
/// token_retransmit was left to derivation. corosync stops at the first failure; this reports all.
/// Messages keep corosync's wording (admins search for it) and add the reason.
/// </summary>
public static class TotemTimeoutRules
{
    /// <param name="timeouts">Values after <see cref="TotemTimeouts.Derive"/>.</param>
    /// <param name="settings">What the config set: a value derived from a value already refused is not reported again.</param>
    public static IReadOnlyList<TimeoutViolation> Check(TotemTimeouts timeouts, TotemSettings settings)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        ArgumentNullException.ThrowIfNull(settings);
        var tokenRetransmitConfigured = settings.TokenRetransmit is > 0;
        var holdConfigured = settings.Hold is > 0;
        var min = TotemTimeouts.MinimumTimeout;
        var tick = $"corosync's timers cannot be finer than three {TotemTimeouts.TickMs} ms ticks";
        var problems = new List<TimeoutViolation>();

        void Minimum(string key, string what, uint value)
        {
            if (value < min)
                problems.Add(new(key, $"The {what} parameter ({value} ms) may not be less than ({min} ms): {tick}."));
        }

        Minimum("max_network_delay", "max_network_delay", timeouts.MaxNetworkDelay);
        Minimum("token", "token timeout", timeouts.Token);

        if (timeouts.TokenWarningPercent > 100)
            problems.Add(new("token_warning",
                $"The token warning parameter ({timeouts.TokenWarningPercent}%) must be between 0 (disabled) and 100: it is a percentage of the token timeout."));

        if (timeouts.TokenRetransmit < min)
        {
            problems.Add(tokenRetransmitConfigured
                ? new("token_retransmit",
                    $"The token retransmit timeout parameter ({timeouts.TokenRetransmit} ms) may not be less than ({min} ms): {tick}.")
                : new("token",
                    $"Not appropriate token or token_retransmits_before_loss_const value set: the derived token_retransmit = " +
                    $"token {timeouts.Token} ms / (token_retransmits_before_loss_const {timeouts.TokenRetransmitsBeforeLossConst} + 0.2) = " +
                    $"{timeouts.TokenRetransmit} ms is less than {min} ms; raise token or lower token_retransmits_before_loss_const."));
        }

        var retransmitRefused = timeouts.TokenRetransmit < min;
        if (timeouts.Hold < TotemTimeouts.MinimumHoldTimeout && (holdConfigured || !retransmitRefused))
            problems.Add(new("hold",
                $"The token hold timeout parameter ({timeouts.Hold} ms) may not be less than ({TotemTimeouts.MinimumHoldTimeout} ms): " +
                $"{tick} (minimum hold = {min} x 0.8 - {TotemTimeouts.TickMs})."));

        Minimum("join", "join timeout", timeouts.Join);
        Minimum("consensus", "consensus timeout", timeouts.Consensus);

        if (timeouts.Consensus < timeouts.Join)
            problems.Add(new("consensus",
                $"The consensus timeout parameter ({timeouts.Consensus} ms) may not be less than join timeout ({timeouts.Join} ms): " +
                "a node must wait at least one join period for every member's join message before declaring consensus."));

        Minimum("merge", "merge timeout", timeouts.Merge);
        Minimum("downcheck", "downcheck timeout", timeouts.Downcheck);

        if ((ulong)timeouts.ConfiguredToken + (ulong)Math.Max(0, timeouts.NodeCount - 2) * timeouts.TokenCoefficient > uint.MaxValue)
            problems.Add(new("token_coefficient",
                $"token ({timeouts.ConfiguredToken} ms) + ({timeouts.NodeCount} - 2) x token_coefficient ({timeouts.TokenCoefficient} ms) does not fit in 32 bits."));

        var maxMessagesLimit = MaxMessagesLimit;
        if (timeouts.MaxMessages > maxMessagesLimit)
            problems.Add(new("max_messages",
                $"The max_messages parameter ({timeouts.MaxMessages}) may not be more than {maxMessagesLimit} (256000 / netmtu {NetMtu}): " +
                "a larger burst per token overflows the kernel transmit buffers (corosync.conf(5))."));

        return problems;
    }

    /// <summary>UDP_NETMTU in totemconfig.c: the MTU this engine's plain UDP transport assumes.</summary>
    public const uint NetMtu = 1500;

    /// <summary>corosync.conf(5): "The max_messages parameter is limited to 256000 / netmtu".</summary>
    public const uint MaxMessagesLimit = 256000 / NetMtu;
}
