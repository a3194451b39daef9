namespace Totem.Host.Totemctl.Explain;

/// <summary>
/// One membership change as one node's log tells it, from the first sign of trouble after the previous change settled
/// (a token warning, a link down, a pause) to service synchronization completing on the new ring. The fields the
/// explanation times are pulled out; <see cref="Timeline"/> has every line of the story in log order.
/// </summary>
public sealed record MembershipChange(
    int Index,
    string RingId,
    StoryEvent Formed,
    IReadOnlyList<uint> Joined,
    IReadOnlyList<uint> Left,
    IReadOnlyList<uint> Failed,
    IReadOnlyList<uint>? Members,
    bool? Quorate,
    bool? WasQuorate,
    StoryEvent? TokenWarning,
    uint? TokenWarningMs,
    StoryEvent? ProcessorFailed,
    uint? LoggedTokenMs,
    uint? LoggedConsensusMs,
    StoryEvent? SyncCompleted,
    IReadOnlyList<StoryEvent> Timeline);
