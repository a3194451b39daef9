namespace Totem.Protocol.Config;

/// <summary>
/// The runtime values a ring runs with, after corosync's derivation (exec/totemconfig.c): every
/// duration in milliseconds. <see cref="Token"/> is the effective token timeout (token + (N-2) x
/// token_coefficient for N > 2); <see cref="ConfiguredToken"/> is what the config said.
/// </summary>
public sealed record TotemTimeouts(
    int NodeCount,
    uint ConfiguredToken,
    uint TokenCoefficient,
    uint Token,
    uint TokenRetransmit,
    uint Hold,
    uint TokenWarningPercent,
    uint TokenRetransmitsBeforeLossConst,
    uint Join,
    uint SendJoin,
    uint Consensus,
    uint Merge,
    uint Downcheck,
    uint FailReceiveConst,
    uint SeqnoUnchangedConst,
    uint MissCountConst,
    uint MaxMessages,
    uint WindowSize,
    uint MaxNetworkDelay)
{
    public const uint DefaultToken = 3000;
    public const uint DefaultTokenCoefficient = 650;
    public const uint DefaultTokenRetransmitsBeforeLossConst = 4;
    public const uint DefaultTokenWarningPercent = 75;
    public const uint DefaultJoin = 50;
    public const uint DefaultSendJoin = 0;
    public const uint DefaultMerge = 200;
    public const uint DefaultDowncheck = 1000;
    public const uint DefaultFailReceiveConst = 2500;
    public const uint DefaultSeqnoUnchangedConst = 30;
    public const uint DefaultMissCountConst = 5;
    public const uint DefaultMaxMessages = 17;
    public const uint DefaultWindowSize = 50;
    public const uint DefaultMaxNetworkDelay = 50;

    /// <summary>
    /// Kernel tick of corosync's build (Linux HZ = 100, so 1000/HZ = 10 ms): its timers cannot be
    /// finer, which is where the minimums below come from.
    /// </summary>
    public const int TickMs = 10;

    /// <summary>MINIMUM_TIMEOUT in totemconfig.c: three ticks.</summary>
    public const uint MinimumTimeout = TickMs * 3;

    /// <summary>MINIMUM_TIMEOUT_HOLD in totemconfig.c: (int)(MINIMUM_TIMEOUT x 0.8 - tick) = 14.</summary>
    public const uint MinimumHoldTimeout = (uint)(int)(MinimumTimeout * 0.8 - TickMs);

    /// <summary>
    /// corosync's totem_volatile_config_read (exec/totemconfig.c), the one place for these formulas.
    /// A value of 0 in the config means "default" for every key except send_join and token_warning
    /// (corosync reads them with allow_zero = 0). When the nodelist has more than two nodes the
    /// token grows by (N - 2) x token_coefficient, whether or not token was set explicitly, and the
    /// derived token_retransmit and consensus use that effective token; hold derives from the
    /// (configured or derived) token_retransmit. The casts reproduce corosync's C arithmetic:
    /// (int)(double) truncation, and (int)(float) for consensus.
    /// </summary>
    public static TotemTimeouts Derive(TotemSettings settings, int nodeCount)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(nodeCount);

        static uint OrDefault(uint? configured, uint fallback) => configured is null or 0 ? fallback : configured.Value;

        var retransmitsBeforeLoss = OrDefault(settings.TokenRetransmitsBeforeLossConst, DefaultTokenRetransmitsBeforeLossConst);
        var configuredToken = OrDefault(settings.Token, DefaultToken);
        var tokenWarning = settings.TokenWarning ?? DefaultTokenWarningPercent;
        var coefficient = settings.TokenCoefficient ?? DefaultTokenCoefficient;

        var token = configuredToken;
        if (nodeCount > 2)
            token = unchecked(configuredToken + (uint)(nodeCount - 2) * coefficient);

        var tokenRetransmit = OrDefault(settings.TokenRetransmit,
            unchecked((uint)(int)(token / (retransmitsBeforeLoss + 0.2))));
        var hold = OrDefault(settings.Hold,
            unchecked((uint)(int)(tokenRetransmit * 0.8 - TickMs)));
        var consensus = OrDefault(settings.Consensus,
            unchecked((uint)(int)(float)(1.2 * token)));

        return new TotemTimeouts(
            NodeCount: nodeCount,
            ConfiguredToken: configuredToken,
            TokenCoefficient: coefficient,
            Token: token,
            TokenRetransmit: tokenRetransmit,
            Hold: hold,
            TokenWarningPercent: tokenWarning,
            TokenRetransmitsBeforeLossConst: retransmitsBeforeLoss,
            Join: OrDefault(settings.Join, DefaultJoin),
            SendJoin: settings.SendJoin ?? DefaultSendJoin,
            Consensus: consensus,
            Merge: OrDefault(settings.Merge, DefaultMerge),
            Downcheck: OrDefault(settings.Downcheck, DefaultDowncheck),
            FailReceiveConst: OrDefault(settings.FailRecvConst, DefaultFailReceiveConst),
            SeqnoUnchangedConst: OrDefault(settings.SeqnoUnchangedConst, DefaultSeqnoUnchangedConst),
            MissCountConst: OrDefault(settings.MissCountConst, DefaultMissCountConst),
            MaxMessages: OrDefault(settings.MaxMessages, DefaultMaxMessages),
            WindowSize: OrDefault(settings.WindowSize, DefaultWindowSize),
            MaxNetworkDelay: OrDefault(settings.MaxNetworkDelay, DefaultMaxNetworkDelay));
    }
}
