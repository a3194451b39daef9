using Akka.Actor;
using Serilog.Core;
using Totem.Nodes.Actors;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;
using static Totem.Nodes.ActorTests.Nodes;

namespace Totem.Nodes.ActorTests;

public sealed class NodeDaemonTests : VirtualTimeTestKit
{
    private readonly NodeOptions _options = Options(1, 3);
    private readonly RecordingTransport _transport = new(N(1));
    private readonly List<string> _failures = new();
    private int _left;

    private IActorRef StartDaemon()
    {
        var board = Board(_options, Sys);
        var hooks = new RingHooks { OnActorFailure = (actor, error) => { lock (_failures) _failures.Add(error.GetType().Name); } };
        var parts = new NodeParts(_options, board, _transport, Logger.None, () => new SrpOptions(_options.NodeId, _options.Timeouts), hooks,
            new MalformedCounter(), new PeerActivity(), _ => { }, () => Interlocked.Increment(ref _left), TimeSpan.FromSeconds(5), () => { });
        return Sys.ActorOf(NodeDaemon.Props(parts), "node");
    }

    [Fact]
    public void It_creates_the_node_actors_starts_the_transport_and_the_ring_sends_its_join()
    {
        StartDaemon();

        AwaitCondition(() => _transport.Started && _transport.SentMessages().Any(m => m is JoinMessage));
        foreach (var path in new[] { "/user/node/ring", "/user/node/ring/votequorum", "/user/node/udp-adapter", "/user/node/watchdog" })
        {
            Sys.ActorSelection(path).Tell(new Identify(path), TestActor);
            Assert.NotNull(ExpectMsg<ActorIdentity>().Subject);
        }
    }

    [Fact]
    public void Datagrams_from_the_transport_reach_the_ring_and_submits_are_answered()
    {
        var daemon = StartDaemon();
        AwaitCondition(() => _transport.Started);

        _transport.Receive(TotemCodec.Encode(new JoinMessage(N(2), 4, new[] { N(2) }.ToValueList(), ValueList<NodeId>.Empty)));
        AwaitCondition(() => _transport.SentMessages().OfType<JoinMessage>().Any(j => j.ProcList.Contains(N(2))));

        daemon.Tell(new SubmitApplicationMessage([7]), TestActor);
        Assert.True(ExpectMsg<SubmitResult>().Accepted);
    }

    [Fact]
    public void Leave_and_stop_sends_the_leave_flushes_and_reports_done_once()
    {
        var daemon = StartDaemon();
        AwaitCondition(() => _transport.Started);

        daemon.Tell(new LeaveAndStop());
        daemon.Tell(new LeaveAndStop());

        AwaitCondition(() => Volatile.Read(ref _left) == 1);
        Assert.Contains(_transport.SentMessages(), m => m is LeaveMessage);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, Volatile.Read(ref _left));
    }
}

public sealed class NodeSupervisionTests : VirtualTimeTestKit
{
    private sealed class Parent : ReceiveActor
    {
        private readonly Action<string, Exception> _report;

        public Parent(IActorRef probe, Action<string, Exception> report)
        {
            _report = report;
            var child = Context.ActorOf(Akka.Actor.Props.Create(() => new Child(probe)), "child");
            ReceiveAny(m => child.Forward(m));
        }

        protected override SupervisorStrategy SupervisorStrategy() => NodeSupervision.RestartAndReport(_report);
    }

    private sealed class Child : ReceiveActor
    {
        private int _state;

        public Child(IActorRef probe)
        {
            Receive<string>(m => m == "boom", _ => throw new InvalidOperationException("boom"));
            Receive<string>(_ => probe.Tell(++_state));
        }

        protected override void PostRestart(Exception reason) => Context.System.EventStream.Publish(new Restarted(reason.Message));
    }

    private sealed record Restarted(string Reason);

    [Fact]
    public void A_child_that_throws_is_reported_and_restarted_with_fresh_state()
    {
        var reports = new List<string>();
        Sys.EventStream.Subscribe(TestActor, typeof(Restarted));
        Action<string, Exception> report = (_, e) => { lock (reports) reports.Add(e.Message); };
        var probe = TestActor;
        var parent = Sys.ActorOf(Akka.Actor.Props.Create(() => new Parent(probe, report)));

        parent.Tell("count");
        ExpectMsg(1);
        parent.Tell("count");
        ExpectMsg(2);
        parent.Tell("boom");
        ExpectMsg<Restarted>();
        parent.Tell("count");

        ExpectMsg(1);
        lock (reports) Assert.Equal(["boom"], reports);
    }

    private sealed class Broken : ReceiveActor
    {
        public Broken() => throw new InvalidOperationException("cannot start");
    }

    private sealed class Watcher : ReceiveActor
    {
        private readonly Action<string, Exception> _report;

        public Watcher(IActorRef probe, Action<string, Exception> report)
        {
            _report = report;
            var child = Context.ActorOf(Akka.Actor.Props.Create(() => new Broken()), "broken");
            Context.Watch(child);
            Receive<Terminated>(t => probe.Tell(t.ActorRef.Path.Name));
        }

        protected override SupervisorStrategy SupervisorStrategy() => NodeSupervision.RestartAndReport(_report);
    }

    [Fact]
    public void A_child_that_cannot_be_created_is_stopped_not_restarted_in_a_loop()
    {
        var reports = new List<string>();
        Action<string, Exception> report = (path, _) => { lock (reports) reports.Add(path); };
        var probe = TestActor;
        Sys.ActorOf(Akka.Actor.Props.Create(() => new Watcher(probe, report)), "watcher");

        ExpectMsg("broken");
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        lock (reports) Assert.Equal(["/user/watcher/broken"], reports);
    }
}
