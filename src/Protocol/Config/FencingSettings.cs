namespace Totem.Protocol.Config;

public enum FencingMode { None, Exit }

/// <summary>Our fencing { } section: what a node does when it stays without quorum for TimeoutMs.</summary>
public sealed record FencingSettings(FencingMode Mode, uint TimeoutMs)
{
    public static FencingSettings Default { get; } = new(FencingMode.Exit, 10000);
}
