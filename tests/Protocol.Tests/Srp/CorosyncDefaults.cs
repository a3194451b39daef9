using Totem.Protocol.Config;

namespace Totem.Protocol.Tests.Srp;

/// <summary>corosync 3's runtime timeouts for a nodelist of N nodes, through the project's one derivation.</summary>
internal static class CorosyncDefaults
{
    public static TotemTimeouts For(int nodeCount, uint token = TotemTimeouts.DefaultToken, uint? consensus = null) =>
        TotemTimeouts.Derive(TotemSettings.Default with { Token = token, Consensus = consensus }, nodeCount);
}
