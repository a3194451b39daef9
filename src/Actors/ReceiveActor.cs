namespace Totem.Actors;

/// <summary>Akka's ReceiveActor: behaviour declared as typed handlers, tried in registration order.</summary>
public abstract class ReceiveActor : ActorBase
{
    private List<Func<object, bool>> _handlers = [];
    private List<Func<object, bool>> _registering;

    protected ReceiveActor()
    {
        _registering = _handlers;
    }

    protected void Receive<T>(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _registering.Add(message =>
        {
            if (message is T typed)
            {
                handler(typed);
                return true;
            }

            return false;
        });
    }

    protected void Receive<T>(Func<T, bool> predicate, Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentNullException.ThrowIfNull(handler);
        _registering.Add(message =>
        {
            if (message is T typed && predicate(typed))
            {
                handler(typed);
                return true;
            }

            return false;
        });
    }

    protected void ReceiveAny(Action<object> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _registering.Add(message =>
        {
            handler(message);
            return true;
        });
    }

    /// <summary>Switches to a new behaviour made of the handlers <paramref name="configure"/> registers.</summary>
    protected void Become(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var next = new List<Func<object, bool>>();
        var previous = _registering;
        _registering = next;
        try
        {
            configure();
        }
        catch
        {
            _registering = previous;
            throw;
        }

        _handlers = next;
    }

    protected sealed override void OnReceive(object message)
    {
        var handlers = _handlers;
        for (var i = 0; i < handlers.Count; i++)
        {
            if (handlers[i](message))
            {
                return;
            }
        }

        Unhandled(message);
    }
}
