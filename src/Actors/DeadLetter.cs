namespace Totem.Actors;

/// <summary>A message that could not be delivered: its recipient was stopped, never existed or did not handle it.</summary>
public sealed record DeadLetter(object Message, IActorRef? Sender, IActorRef Recipient);
