using Akka.Actor;
using Serilog;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Transport;
using Totem.Protocol.Srp;

namespace Totem.Nodes.Actors;

/// <summary>
/// The root of one node's actors (/user/node): creates its children and hands each the refs it needs at
/// construction (watchdog; udp-adapter; the ring's two halves, token-holder, whose child is votequorum, and
/// membership), starts the transport's receive path into the ring (each message to the half it is for), forwards the
/// facade's commands, and runs the orderly shutdown as a <see cref="LeaveSequence"/> child (Become: running ->
/// leaving). Supervision: a child that throws is restarted with its protocol state rebuilt; token-holder and
/// membership are restarted together (a ring restart is a node restart of the ring, as a rebooted corosync: neither
/// half can go on with a peer that forgot the ring); one that cannot be created is stopped and the node with it (the
/// facade reports the node failed); the daemon itself is stopped, never restarted, by the guardian (reference.conf),
/// because it owns the transport's subscription.
/// </summary>
public sealed class NodeDaemon : UntypedActor
{
    private readonly NodeParts _parts;
    private static readonly IReadOnlySet<string> RingPair = new HashSet<string> { TokenHolderName, MembershipName };
    private const string TokenHolderName = "token-holder";
    private const string MembershipName = "membership";
    private RingHalves _ring = new(ActorRefs.Nobody, ActorRefs.Nobody);
    private IActorRef _adapter = ActorRefs.Nobody;

    public NodeDaemon(NodeParts parts)
    {
        _parts = parts;
    }

    public static Props Props(NodeParts parts) => Akka.Actor.Props.Create<NodeDaemon>(parts);

    protected override SupervisorStrategy SupervisorStrategy() => NodeSupervision.RestartAndReport(_parts.Hooks.OnActorFailure, RingPair);

    protected override void PreStart()
    {
        var p = _parts;
        var watchdog = Context.ActorOf(Watchdog.Props(p.Options, p.Board, p.Fence, p.Log), "watchdog");
        _adapter = Context.ActorOf(UdpAdapter.Props(p.Transport), "udp-adapter");
        var quorum = VoteQuorumService.Props(p.Options, p.Board, watchdog, p.Log, verdictsToRing: p.Store is not null);
        var cfg = CfgService.Props(p.Options.NodeId, p.Board, p.ReadConfig, p.Log);
        var store = p.Store is { } hosting ? StoreService.Props(p.Options.NodeId, hosting, p.Board, p.Log) : null;
        var tokenHolder = Context.ActorOf(TokenHolder.Props(p.RingOptions, p.Board, _adapter, quorum, cfg, p.Hooks, p.Log, store), TokenHolderName);
        var membership = Context.ActorOf(Membership.Props(p.RingOptions, p.Board, _adapter, tokenHolder, p.Hooks, p.Log), MembershipName);
        _ring = new RingHalves(tokenHolder, membership);
        // A child that its supervisor stopped (it could not be created) leaves the node without it: the node has failed.
        Context.Watch(watchdog);
        Context.Watch(_adapter);
        Context.Watch(tokenHolder);
        Context.Watch(membership);
        var inbound = new InboundDatagrams(_ring, p.Malformed, p.Peers, Context.System.Scheduler, p.Log, p.Transport.Counters);
        p.Transport.Start(inbound.OnDatagram);
    }

    private void ChildStopped(Terminated terminated)
    {
        _parts.Log.Error("The node's actor {Actor} stopped; the node stops", terminated.ActorRef.Path.ToStringWithoutAddress());
        Context.Stop(Self);
    }

    protected override void PostStop() => _parts.Stopped();

    /// <summary>Running: the facade's commands go to the ring (submits and votequorum's to token-holder); a leave starts the shutdown.</summary>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case LeaveAndStop:
                Context.ActorOf(LeaveSequence.Props(_ring, _adapter, _parts.LeaveDone, _parts.LeaveTimeout, _parts.Log), "leave");
                Become(Leaving);
                break;
            default:
                Common(message);
                break;
        }
    }

    /// <summary>Leaving: a second leave is ignored; submits still reach the ring while the leave goes out (corosync takes messages until it exits).</summary>
    private void Leaving(object message)
    {
        if (message is not LeaveAndStop) Common(message);
    }

    private void Common(object message)
    {
        switch (message)
        {
            case SubmitApplicationMessage or SubmitApplicationBatch or SetExpectedVotesCommand or ReloadConfigCommand or StoreWriteCommand or StoreReadCommand:
                _ring.TokenHolder.Forward(message);
                break;
            case Terminated terminated:
                ChildStopped(terminated);
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}

/// <summary>Everything the node daemon builds its children from (immutable; the facade makes it).</summary>
public sealed record NodeParts(
    NodeOptions Options,
    NodeBoard Board,
    IDatagramTransport Transport,
    ILogger Log,
    Func<SrpOptions> RingOptions,
    RingHooks Hooks,
    MalformedCounter Malformed,
    PeerActivity Peers,
    Action<NodeExit> Fence,
    Action LeaveDone,
    TimeSpan LeaveTimeout,
    Action Stopped)
{
    /// <summary>Re-reads the node's config file for a reload (<see cref="NodeEnvironment.ReadConfig"/>); null: reloads are refused.</summary>
    public Func<Protocol.Config.ConfigLoadResult>? ReadConfig { get; init; }

    /// <summary>The replicated store's keeping (issue 16); null: the node runs no store.</summary>
    public StoreHosting? Store { get; init; }
}
