namespace Totem.Actors;

public sealed class InvalidActorNameException(string message) : ArgumentException(message);
