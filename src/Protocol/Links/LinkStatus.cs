namespace Totem.Protocol.Links;

/// <summary>
/// One link to one host as the heartbeat sees it: up or not, pongs counted towards coming up, when the last ping
/// went and the last pong came (null: never), and the last round trip.
/// </summary>
public sealed record LinkStatus(uint Link, bool Connected, int PongsTowardsUp, TimeSpan? LastPingSent, TimeSpan? LastPong, TimeSpan? Latency);
