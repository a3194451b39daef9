namespace Totem.Actors.Cells;

internal readonly record struct Envelope(object Message, IActorRef? Sender);
