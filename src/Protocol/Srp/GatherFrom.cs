namespace Totem.Protocol.Srp;

/// <summary>Why the GATHER state was entered; the numbers and texts are corosync's (gather_state_from_desc).</summary>
internal enum GatherFrom
{
    ConsensusTimeout = 0,
    TokenLostInOperational = 2,
    ConsensusTimeoutExpired = 3,
    TokenLostInCommit = 4,
    TokenLostInRecovery = 5,
    FailedToReceive = 6,
    ForeignMessageInOperational = 7,
    ForeignMessageInGather = 8,
    MergeDuringOperational = 9,
    MergeDuringGather = 10,
    MergeDuringJoin = 11,
    JoinDuringOperational = 12,
    JoinDuringCommit = 13,
    JoinDuringRecovery = 14,
    InterfaceChange = 15,
}

internal static class GatherFromText
{
    public static string Describe(this GatherFrom from) => from switch
    {
        GatherFrom.ConsensusTimeout => "consensus timeout",
        GatherFrom.TokenLostInOperational => "The token was lost in the OPERATIONAL state.",
        GatherFrom.ConsensusTimeoutExpired => "The consensus timeout expired.",
        GatherFrom.TokenLostInCommit => "The token was lost in the COMMIT state.",
        GatherFrom.TokenLostInRecovery => "The token was lost in the RECOVERY state.",
        GatherFrom.FailedToReceive => "failed to receive",
        GatherFrom.ForeignMessageInOperational => "foreign message in operational state",
        GatherFrom.ForeignMessageInGather => "foreign message in gather state",
        GatherFrom.MergeDuringOperational => "merge during operational state",
        GatherFrom.MergeDuringGather => "merge during gather state",
        GatherFrom.MergeDuringJoin => "merge during join",
        GatherFrom.JoinDuringOperational => "join during operational state",
        GatherFrom.JoinDuringCommit => "join during commit state",
        GatherFrom.JoinDuringRecovery => "join during recovery",
        GatherFrom.InterfaceChange => "interface change",
        _ => "UNKNOWN",
    };
}
