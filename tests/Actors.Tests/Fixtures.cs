using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Nodes.ActorTests;

/// <summary>
/// A TestKit on virtual time: Akka.TestKit's TestScheduler, advanced by the test. The protocol's timers run on
/// virtual time; what stays on the wall clock is how long a probe waits for an actor's answer (ExpectNoMsg,
/// ReceiveWhile), and those windows are dilated three times (<c>akka.test.timefactor</c>) because dotnet test runs
/// the UDP suites beside these on a 2-core CI machine.
/// </summary>
public abstract class VirtualTimeTestKit : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config VirtualTime = ConfigurationFactory.ParseString(
        "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"\nakka.loglevel = WARNING\nakka.test.timefactor = 3");

    protected VirtualTimeTestKit() : base(VirtualTime)
    {
    }

    protected TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    /// <summary>Moves virtual time on, then lets the actors handle what came due.</summary>
    protected void Advance(TimeSpan by) => Clock.Advance(by);
}

internal static class Nodes
{
    public static NodeId N(uint id) => new(id);

    public static NodeOptions Options(uint self, int count, FencingSettings? fencing = null)
    {
        var timeouts = TotemTimeouts.Derive(new TotemSettings(), count);
        var nodelist = Enumerable.Range(1, count).Select(i => new NodeEntry(N((uint)i), $"node{i}", $"sim:{i}", 1, i)).ToList();
        return new NodeOptions(N(self), "test", timeouts, QuorumSettings.Default, nodelist, fencing ?? new FencingSettings(FencingMode.None, 10_000));
    }

    public static NodeBoard Board(NodeOptions options, ActorSystem system) => new(options, new SchedulerClock(system.Scheduler));
}

/// <summary>A transport that records what is sent and lets the test hand it datagrams.</summary>
internal sealed class RecordingTransport(NodeId local) : IDatagramTransport
{
    private Action<ReceivedDatagram>? _receiver;

    public NodeId LocalNode { get; } = local;
    public TransportCounters Counters { get; } = new();
    public List<(NodeId? To, byte[] Bytes)> Sent { get; } = new();
    public bool Started => _receiver is not null;
    public bool Disposed { get; private set; }

    public void Start(Action<ReceivedDatagram> onDatagram) => _receiver = onDatagram;

    public void Send(NodeId destination, byte[] datagram)
    {
        lock (Sent) Sent.Add((destination, datagram));
    }

    public void SendToAll(byte[] datagram)
    {
        lock (Sent) Sent.Add((null, datagram));
    }

    public void Receive(byte[] bytes) => _receiver!(new ReceivedDatagram(bytes, "test"));

    public IReadOnlyList<TotemMessage> SentMessages()
    {
        lock (Sent) return Sent.Select(s => TotemCodec.Decode(s.Bytes).Message!).ToList();
    }

    public void Dispose() => Disposed = true;
}

/// <summary>Forwards everything it receives to a probe: stands in for a child whose messages a test watches.</summary>
internal sealed class Forwarder(IActorRef to) : UntypedActor
{
    protected override void PreStart() => to.Tell(new ForwarderStarted(Self));

    protected override void OnReceive(object message) => to.Forward(message);

    public static Props Props(IActorRef to) => Akka.Actor.Props.Create(() => new Forwarder(to));
}

internal sealed record ForwarderStarted(IActorRef Self);
