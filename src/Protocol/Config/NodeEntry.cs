using Totem.Protocol.Wire;

namespace Totem.Protocol.Config;

/// <summary>One node { } block of the nodelist. NodeId is null when the config leaves it to be derived from the address.</summary>
public sealed record NodeEntry(NodeId? NodeId, string? Name, string? RingAddress, uint QuorumVotes, int Line)
{
    /// <summary>
    /// <c>ring1_addr</c> .. <c>ring7_addr</c> as set, by link number (knet's redundant links); ring0_addr is
    /// <see cref="RingAddress"/>. Empty for a single-link node.
    /// </summary>
    public ValueList<LinkAddress> RedundantRings { get; init; } = ValueList<LinkAddress>.Empty;

    /// <summary>The node's address on link <paramref name="link"/>, or null when it has none there.</summary>
    public string? AddressOf(uint link) =>
        link == 0 ? RingAddress : RedundantRings.FirstOrDefault(r => r.LinkNumber == link)?.Address;

    /// <summary>The link numbers this node has an address on, ascending.</summary>
    public IEnumerable<uint> LinkNumbers =>
        (RingAddress is null ? [] : new[] { 0u }).Concat(RedundantRings.Select(r => r.LinkNumber));
}

/// <summary>A node's <c>ringN_addr</c>: its address on link N.</summary>
public sealed record LinkAddress(uint LinkNumber, string Address);
