namespace Totem.Host.Totemctl.Explain;

/// <summary>One line of a membership change's story: where it is in the log, when, and what it says.</summary>
public sealed record StoryEvent(int Line, DateTime? Time, string What);
