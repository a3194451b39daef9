namespace Totem.Actors.Tests;

/// <summary>Records every message it gets, with the virtual or real time it got it.</summary>
public sealed class Recorder : ReceiveActor
{
    public Recorder(List<(TimeSpan At, object Message)> log, Simulation? simulation = null)
    {
        ReceiveAny(message => log.Add((simulation?.Elapsed ?? TimeSpan.Zero, message)));
    }
}

public sealed record Increment;

public sealed record GetCount;

public sealed record Boom;

/// <summary>A counter whose state must be lost on restart.</summary>
public sealed class Counter : ReceiveActor
{
    private readonly List<string> _lifecycle;
    private int _count;

    public Counter(List<string> lifecycle)
    {
        _lifecycle = lifecycle;
        Receive<Increment>(_ => _count++);
        Receive<GetCount>(_ => Sender.Tell(_count, Self));
        Receive<Boom>(_ => throw new InvalidOperationException("boom at " + _count));
    }

    protected override void PreStart() => _lifecycle.Add("PreStart");

    protected override void PostStop() => _lifecycle.Add("PostStop " + Self.Path);

    protected override void PreRestart(Exception reason, object? message)
    {
        _lifecycle.Add($"PreRestart {reason.Message} {message?.GetType().Name}");
        base.PreRestart(reason, message);
    }
}

/// <summary>Tells a target N numbered messages, with itself as the sender, when it gets "go".</summary>
public sealed class Sequencer : ReceiveActor
{
    public Sequencer(IActorRef target, int count)
    {
        Receive<string>(s => s == "go", _ =>
        {
            for (var i = 0; i < count; i++)
            {
                target.Tell(i, Self);
            }
        });
    }
}
