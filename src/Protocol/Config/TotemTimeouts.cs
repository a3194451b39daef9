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
    uint MaxNetworkDelay);
