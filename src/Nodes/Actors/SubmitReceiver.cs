using System.Collections.Concurrent;
using Akka.Actor;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;

namespace Totem.Nodes.Actors;

/// <summary>
/// Where TokenHolder's answers to the facade's submissions arrive: one actor for the node's life instead of a
/// temporary one per Ask (issue 18: no Ask per submission). The facade registers a ticket, tells the batch with this
/// actor as its sender, and the answer completes the ticket's task.
/// </summary>
public sealed class SubmitReceiver : UntypedActor
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource<SubmitResult>> _waiting;

    public SubmitReceiver(ConcurrentDictionary<long, TaskCompletionSource<SubmitResult>> waiting)
    {
        _waiting = waiting;
    }

    public static Props Props(ConcurrentDictionary<long, TaskCompletionSource<SubmitResult>> waiting) =>
        Akka.Actor.Props.Create<SubmitReceiver>(waiting);

    protected override void OnReceive(object message)
    {
        if (message is ApplicationBatchSubmitted answer)
        {
            // A ticket the facade gave up on (timeout) is gone: its late answer changes nothing.
            if (_waiting.TryRemove(answer.Ticket, out var waiter)) waiter.TrySetResult(answer.Result);
            return;
        }
        Unhandled(message);
    }
}
