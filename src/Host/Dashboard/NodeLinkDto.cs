namespace Totem.Host.Dashboard;

/// <summary>
/// How the dashboard reaches one node (SSE event "node"): connecting, subscribed, unreachable (retried every
/// second) or gone (its process went away: the observer's connection dropped, or death watch said so).
/// <see cref="TokenMs"/> and <see cref="ConsensusMs"/> are the node's effective token and consensus timeouts
/// (GET /v1/timeouts), drawn as intervals on the time line.
/// </summary>
public sealed record NodeLinkDto(string Control, uint? Node, string State, DateTimeOffset At, string Detail, uint? TokenMs = null, uint? ConsensusMs = null);

/// <summary>The link states, as the page reads them.</summary>
public static class LinkState
{
    public const string Connecting = "connecting";
    public const string Subscribed = "subscribed";
    public const string Unreachable = "unreachable";
    public const string Gone = "gone";
}
