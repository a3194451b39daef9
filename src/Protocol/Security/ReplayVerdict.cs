namespace Totem.Protocol.Security;

/// <summary>What a <see cref="ReplayWindow"/> says of one (epoch, counter).</summary>
public enum ReplayVerdict
{
    Fresh,
    OlderEpoch,
    BelowWindow,
    Duplicate,
}
