namespace Totem.Nodes.Control;

/// <summary>
/// The answer to a run-time expected-votes change. On success the new expected votes and quorum;
/// when refused (votequorum refuses values that would make the cluster's quorum unreachable or
/// meaningless), the reason in plain words.
/// </summary>
public sealed record SetExpectedVotesResult(bool Ok, uint ExpectedVotes, uint Quorum, string? Reason)
{
    public static SetExpectedVotesResult Applied(uint expectedVotes, uint quorum) => new(true, expectedVotes, quorum, null);
    public static SetExpectedVotesResult Refused(string reason) => new(false, 0, 0, reason);
}
