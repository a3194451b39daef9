using Totem.Protocol.Wire;

namespace Totem.Protocol.Config;

/// <summary>One node { } block of the nodelist. NodeId is null when the config leaves it to be derived from the address.</summary>
public sealed record NodeEntry(NodeId? NodeId, string? Name, string? RingAddress, uint QuorumVotes, int Line);
