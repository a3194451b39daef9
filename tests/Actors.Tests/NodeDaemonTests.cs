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
    private readonly NodeBoard _board;
    private int _left;
    private volatile bool _failNextOutput;

    public NodeDaemonTests() => _board = Board(_options, Sys);

    private IActorRef StartDaemon()
    {
        var board = _board;
        var hooks = new RingHooks
        {
            OnActorFailure = (actor, error) => { lock (_failures) _failures.Add(actor); },
            ProtocolOutput = _ =>
            {
                if (!_failNextOutput) return;
                _failNextOutput = false;
                throw new InvalidOperationException("a bug in the ring");
            },
        };
        var parts = new NodeParts(_options, board, _transport, Logger.None,
            () => new SrpOptions(_options.NodeId, _options.Timeouts) { InitialRingSeq = board.HighestRingSeq }, hooks,
            new MalformedCounter(), new PeerActivity(), _ => { }, () => Interlocked.Increment(ref _left), TimeSpan.FromSeconds(5), () => { });
        return Sys.ActorOf(NodeDaemon.Props(parts), "node");
    }

    [Fact]
    public void It_creates_the_node_actors_starts_the_transport_and_the_ring_sends_its_join()
    {
        StartDaemon();

        AwaitCondition(() => _transport.Started && _transport.SentMessages().Any(m => m is JoinMessage));
        foreach (var path in new[] { "/user/node/token-holder", "/user/node/token-holder/votequorum", "/user/node/membership", "/user/node/udp-adapter", "/user/node/watchdog" })
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
    public void A_ring_half_that_throws_restarts_both_halves_as_a_rebooted_node_above_the_ring_seqs_it_saw()
    {
        StartDaemon();
        AwaitCondition(() => _board.Status().State == SrpState.Operational);
        var first = _board.Status().RingId;

        _failNextOutput = true;
        _transport.Receive(TotemCodec.Encode(new JoinMessage(N(2), 4, new[] { N(2) }.ToValueList(), ValueList<NodeId>.Empty)));

        // Membership threw on the join; TokenHolder, whose state only makes sense with Membership's, restarts with it
        // (its fresh engine answers the fresh Membership, so a ring of one forms again, above the old one).
        AwaitCondition(() => _board.Status() is { State: SrpState.Operational } s && s.RingId.Seq > first.Seq);
        lock (_failures) Assert.Equal(["/user/node/membership"], _failures);
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

    private sealed class Pair : ReceiveActor
    {
        private readonly Action<string, Exception> _report;

        public Pair(IActorRef probe, Action<string, Exception> report)
        {
            _report = report;
            var a = Context.ActorOf(Akka.Actor.Props.Create(() => new Child(probe)), "a");
            var b = Context.ActorOf(Akka.Actor.Props.Create(() => new Child(probe)), "b");
            var c = Context.ActorOf(Akka.Actor.Props.Create(() => new Child(probe)), "c");
            Receive<(string To, string What)>(m => (m.To switch { "a" => a, "b" => b, _ => c }).Tell(m.What));
        }

        protected override SupervisorStrategy SupervisorStrategy() =>
            NodeSupervision.RestartAndReport(_report, new HashSet<string> { "a", "b" });
    }

    [Fact]
    public void Children_restarted_together_restart_together_and_the_others_keep_their_state()
    {
        var reports = new List<string>();
        Action<string, Exception> report = (path, _) => { lock (reports) reports.Add(path); };
        Sys.EventStream.Subscribe(TestActor, typeof(Restarted));
        var probe = TestActor;
        var parent = Sys.ActorOf(Akka.Actor.Props.Create(() => new Pair(probe, report)), "pair");
        foreach (var child in new[] { "a", "b", "c" })
        {
            parent.Tell((child, "count"));
            ExpectMsg(1);
        }

        parent.Tell(("a", "boom"));
        ExpectMsg<Restarted>();
        ExpectMsg<Restarted>();
        parent.Tell(("b", "count"));
        parent.Tell(("c", "count"));

        // b lost its count with a; c, outside the pair, kept its own.
        ExpectMsgAllOf([1, 2]);
        lock (reports) Assert.Equal(["/user/pair/a"], reports);
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
