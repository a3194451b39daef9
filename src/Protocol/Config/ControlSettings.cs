namespace Totem.Protocol.Config;

/// <summary>Our control { } section: where the HTTP control API listens (<c>bind: ADDR:PORT</c>).</summary>
public sealed record ControlSettings(string Address, ushort Port)
{
    public const ushort DefaultPort = 7405;

    /// <summary>Loopback only by default: the API can change expected votes, so it is not exposed unless asked.</summary>
    public static ControlSettings Default { get; } = new("127.0.0.1", DefaultPort);

    public string Bind => Address.Contains(':') ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}
