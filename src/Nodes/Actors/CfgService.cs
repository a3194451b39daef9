using Akka.Actor;
using Serilog;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Services;
using Totem.Protocol.Config;
using Totem.Protocol.Config.Reload;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Actors;

/// <summary>
/// corosync's cfg service for reloads (exec/cfg.c): `totemctl reload` multicasts a request through the ring, and every
/// member, where the ring delivers it (so all of them at the same point of the total order), re-reads its own config
/// file, applies what may change at run time (<see cref="ConfigReload.Plan"/>), hands the new timing to both halves of
/// the ring, and multicasts its answer with its file's config_version; the answers tell every member each other's
/// config_version (as corosync's cmap announces it), and a member whose file is older says so in its log. A child of
/// the ring (<c>Context.Parent</c>, TokenHolder), which it multicasts through.
/// </summary>
public sealed class CfgService : UntypedActor
{
    private readonly NodeId _self;
    private readonly NodeBoard _board;
    private readonly Func<ConfigLoadResult>? _readConfig;
    private readonly ILogger _log;

    public CfgService(NodeId self, NodeBoard board, Func<ConfigLoadResult>? readConfig, ILogger log)
    {
        _self = self;
        _board = board;
        _readConfig = readConfig;
        _log = log.ForContext(LogSubsystem.Property, LogSubsystem.Cfg);
    }

    public static Props Props(NodeId self, NodeBoard board, Func<ConfigLoadResult>? readConfig, ILogger log) =>
        Akka.Actor.Props.Create<CfgService>(self, board, readConfig, log);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ReloadConfigCommand:
                var id = _board.Running.NextRequestId();
                Multicast(new ReloadRequested(_self, id));
                Sender.Tell(new ConfigReloadRequested(_self, id));
                break;
            case CfgMessageDelivered delivered:
                OnDelivered(delivered);
                break;
            case Control.SetExpectedVotesResult result:
                if (!result.Ok)
                    _log.Warning("quorum.expected_votes of the reloaded config was not applied by votequorum: {Reason}", result.Reason ?? "refused");
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Multicast(CfgMessage message) =>
        Context.Parent.Tell(new Broadcast(ServiceId.Cfg, CfgMessageCodec.Encode(message), DeliveryGuarantee.Agreed));

    private void OnDelivered(CfgMessageDelivered delivered)
    {
        CfgMessage message;
        try
        {
            message = CfgMessageCodec.Decode(delivered.Body.Span);
        }
        catch (FormatException error)
        {
            _log.Warning("Ignored a malformed cfg message from node {Source}: {Error}", delivered.Source, error.Message);
            return;
        }
        switch (message)
        {
            case ReloadRequested request:
                Reload(request);
                break;
            case ReloadReported report:
                OnReport(delivered.Source, report);
                break;
        }
    }

    private void Reload(ReloadRequested request)
    {
        _log.Information("Config reload requested by node {Requester}", request.Requester);
        var running = _board.Running;
        var plan = running.Config is { } config && _readConfig is { } read
            ? ConfigReload.Plan(config, read(), running.Timeouts.NodeCount)
            : null;
        if (plan is null)
        {
            const string none = "this node was started without a config file to re-read";
            _log.Error("Unable to reload config file: {Reason}", none);
            Multicast(new ReloadReported(request.Requester, request.RequestId, ReloadOutcome.Invalid, running.ConfigVersion, none));
            return;
        }
        foreach (var problem in plan.Problems)
            _log.Error("Unable to reload config file: {Problem:l}", problem);
        if (plan is { Outcome: ReloadOutcome.Applied, Config: { } next, Timeouts: { } timeouts })
            Apply(running, next, timeouts, plan);
        var detail = plan.Outcome switch
        {
            ReloadOutcome.Applied => string.Join("; ", plan.Changes),
            ReloadOutcome.Unchanged => "",
            _ => string.Join("\n", plan.Problems),
        };
        // A file that did not take keeps the running config's version: that is what this node runs.
        var version = plan.Outcome is ReloadOutcome.Applied or ReloadOutcome.Unchanged ? plan.ConfigVersion : running.ConfigVersion;
        Multicast(new ReloadReported(request.Requester, request.RequestId, plan.Outcome, version, detail));
    }

    private void Apply(RunningConfig running, ClusterConfig next, TotemTimeouts timeouts, ReloadPlan plan)
    {
        var expectedBefore = running.Config?.Quorum.ExpectedVotes;
        running.Apply(next, timeouts);
        foreach (var change in plan.Changes)
            _log.Information("Config reload: {Key:l} {Old:l} -> {New:l} ({Position:l})", change.Key, change.Old ?? "unset", change.New ?? "unset", change.Position.ToString());
        _log.Debug("Configuration reloaded. Dumping actual totem config.");
        _log.Information("Reloaded timing: token {Token} ms (for {Nodes} nodes), consensus {Consensus} ms, join {Join} ms, token_retransmit {TokenRetransmit} ms, hold {Hold} ms",
            timeouts.Token, timeouts.NodeCount, timeouts.Consensus, timeouts.Join, timeouts.TokenRetransmit, timeouts.Hold);
        Context.Parent.Tell(new TimeoutsReloaded(timeouts));
        // votequorum re-reads expected_votes at a reload (votequorum_readconfig); here through pvecm expected's path.
        if (next.Quorum.ExpectedVotes is { } expected and > 0 && expected != expectedBefore)
            Context.Parent.Tell(new SetExpectedVotesCommand(expected));
    }

    private void OnReport(NodeId from, ReloadReported report)
    {
        _board.Running.Record(from, report);
        var mine = _board.Running.ConfigVersion;
        // corosync's cmap_sync_activate compares against the highest version received; its node with another
        // version exits, here the node whose file is older says so and goes on.
        if (from != _self && report.ConfigVersion > mine)
            _log.Error("Received config version ({Theirs}) from node {Node} is different than my config version ({Mine}): my config file is older; update it and run totemctl reload",
                report.ConfigVersion, from, mine);
    }
}
