namespace Totem.Protocol.Quorum;

/// <summary>corosync's log levels as votequorum uses them (configuration conflicts are logged as Critical).</summary>
public enum QuorumLogLevel { Debug, Information, Notice, Warning, Error, Critical }
