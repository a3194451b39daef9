namespace Totem.Host.Control.Api;

/// <summary>POST /v1/quorum/expected body.</summary>
public sealed record ExpectedVotesRequest(uint? Votes);

/// <summary>POST /v1/quorum/expected answer when votequorum accepted the change.</summary>
public sealed record ExpectedVotesDto(uint ExpectedVotes, uint Quorum);
