namespace Totem.Host.Control;

/// <summary>Where the control API listens unless the config (control { bind }) or --control says otherwise.</summary>
public static class ControlDefaults
{
    /// <summary>Next to corosync's 5405 so that firewall rules and memories stay simple.</summary>
    public const int Port = 7405;
    public const string Address = "127.0.0.1";
    public const string ApiVersion = "v1";
    public static Uri LocalNode => new($"http://{Address}:{Port}/");

    /// <summary>The environment variable totemctl reads when --node is not given.</summary>
    public const string NodeEnvironmentVariable = "TOTEMCTL_NODE";
}
