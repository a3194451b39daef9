using Totem.Actors.Cells;

namespace Totem.Actors;

/// <summary>Akka's Ask: send a message with a temporary sender and await its first reply.</summary>
public static class Futures
{
    /// <summary>
    /// The task completes with the first reply (a <see cref="Status.Failure"/> reply fails it with its cause, a reply
    /// of another type fails it with InvalidCastException), or fails with <see cref="AskTimeoutException"/> after
    /// <paramref name="timeout"/> on the system's clock. In a simulation it completes while the simulation runs.
    /// </summary>
    public static Task<T> Ask<T>(this IActorRef receiver, object message, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "Ask timeout must be positive or infinite.");
        }

        if (receiver is not IInternalActorRef { System: var system })
        {
            throw new ArgumentException($"Cannot ask {receiver.Path}: it is not an actor of an actor system.", nameof(receiver));
        }

        var promise = new PromiseActorRef<T>(system, receiver, message, timeout);
        promise.Start();
        receiver.Tell(message, promise);
        return promise.Task;
    }

    /// <summary>Ask for a reply of any type.</summary>
    public static Task<object> Ask(this IActorRef receiver, object message, TimeSpan timeout) =>
        receiver.Ask<object>(message, timeout);
}
