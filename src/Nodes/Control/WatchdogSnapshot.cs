using Totem.Protocol.Config;

namespace Totem.Nodes.Control;

/// <summary>The fencing watchdog: armed while quorum is lost; fences at <see cref="Deadline"/> unless quorum returns.</summary>
public sealed record WatchdogSnapshot(bool Armed, DateTimeOffset? Deadline, FencingMode Mode, uint TimeoutMs);
