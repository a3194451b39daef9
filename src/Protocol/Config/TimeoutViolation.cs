namespace Totem.Protocol.Config;

/// <summary>A derived timeout corosync would refuse: the totem key at fault and the reason, in corosync's words.</summary>
public sealed record TimeoutViolation(string Key, string Message);
