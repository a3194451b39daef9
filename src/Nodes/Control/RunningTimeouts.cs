using Totem.Protocol.Config;

namespace Totem.Nodes.Control;

/// <summary>
/// The timing a node runs now (its start-up config's, or the last reload's) with what it was derived from:
/// `totemctl timeouts` on a node prints this, not what a file on the operator's machine would give.
/// </summary>
/// <param name="Timeouts">The derived values the engines run (runtime.config.totem.*), sized for <see cref="TotemTimeouts.NodeCount"/>.</param>
/// <param name="Totem">The totem { } settings they were derived from (what the file set; for the rule checks).</param>
/// <param name="Fencing">The fencing the node arms on quorum loss (fixed at start: a reload cannot change it).</param>
public sealed record RunningTimeouts(TotemTimeouts Timeouts, TotemSettings Totem, FencingSettings Fencing);
