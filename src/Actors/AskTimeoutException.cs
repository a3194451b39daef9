namespace Totem.Actors;

public sealed class AskTimeoutException(string message) : TimeoutException(message);
