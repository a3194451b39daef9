using Totem.Actors.Cells;

namespace Totem.Actors.Dispatch;

/// <summary>
/// A mailbox whose turns are simulation events: posting to an idle mailbox queues one turn at the current virtual
/// instant, and a turn processes one message then queues the next turn behind everything already due, so the
/// interleaving of actors depends only on the order of events.
/// </summary>
internal sealed class SimulationMailbox : Mailbox
{
    private readonly Simulation _simulation;
    private readonly Queue<Envelope> _user = new();
    private readonly Turn _turn;
    private Queue<SystemMessage>? _system;
    private bool _scheduled;

    public SimulationMailbox(ActorCell cell, Simulation simulation)
        : base(cell)
    {
        _simulation = simulation;
        _turn = new Turn(this);
    }

    public override void Post(in Envelope envelope)
    {
        _user.Enqueue(envelope);
        ScheduleIfIdle();
    }

    public override void PostSystem(SystemMessage message)
    {
        (_system ??= new Queue<SystemMessage>()).Enqueue(message);
        ScheduleIfIdle();
    }

    private void ScheduleIfIdle()
    {
        if (!_scheduled)
        {
            _scheduled = true;
            _simulation.Enqueue(_simulation.NowTicks, _turn, 0);
        }
    }

    private void RunTurn()
    {
        _scheduled = false;
        if (_system is { Count: > 0 })
        {
            Cell.SystemInvoke(_system.Dequeue());
        }
        else if (!Cell.CanProcessUserMessages)
        {
            while (_user.TryDequeue(out var dropped))
            {
                Cell.DeadLetter(dropped);
            }
        }
        else if (_user.TryDequeue(out var envelope))
        {
            Cell.Invoke(envelope);
        }

        if (_user.Count > 0 || _system is { Count: > 0 })
        {
            ScheduleIfIdle();
        }
    }

    private string Describe()
    {
        if (_system is { Count: > 0 })
        {
            return $"{Cell.Path} {_system.Peek()}";
        }

        if (_user.TryPeek(out var envelope))
        {
            var message = envelope.Message;
            return $"{Cell.Path} {message.GetType().Name} {message}";
        }

        return $"{Cell.Path} <idle>";
    }

    private sealed class Turn(SimulationMailbox owner) : SimulationEvent
    {
        public override void Fire(long token) => owner.RunTurn();

        public override string Describe() => owner.Describe();
    }
}
