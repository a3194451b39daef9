using System.Globalization;
using System.Net;
using Akka.Configuration;
using Totem.Nodes.Messages;

namespace Totem.Host.Control.Observer;

/// <summary>
/// The observer plane (DESIGN.md): Akka.Remote between a node's ActorSystem and the watchers (the dashboard).
/// Never the ring's transport. It is unauthenticated and unencrypted, like the control API: bind it to a
/// loopback or a private lab network only, never a public address. One place for its Akka settings, used by
/// totemd and the dashboard alike.
/// </summary>
public static class ObserverPlane
{
    /// <summary>The port a node's observer listens on unless told otherwise (totemd.observer.port; the control API's is 7405).</summary>
    public const int DefaultPort = 7406;

    /// <summary>How often a node samples its ring state for its subscribers.</summary>
    public static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(1);

    /// <summary>The Akka path of node <paramref name="nodeId"/>'s publisher behind <paramref name="endpoint"/>.</summary>
    public static string PublisherPath(uint nodeId, IPEndPoint endpoint) =>
        string.Create(CultureInfo.InvariantCulture, $"akka.tcp://node{nodeId}@{endpoint.Address}:{endpoint.Port}/user/observer");

    /// <summary>
    /// Akka.Remote on <paramref name="endpoint"/> (port 0: any free port) with the observer's messages bound to
    /// <see cref="ObserverSerializer"/>, over whatever else the system is configured with. Akka drops messages
    /// addressed to another host name than its own, so a system bound to a wildcard address names the one
    /// watchers reach it at (<paramref name="reachedAt"/>; default: the bound address).
    /// </summary>
    public static Config RemoteConfig(IPEndPoint endpoint, string? reachedAt = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var serializer = $"{typeof(ObserverSerializer).FullName}, {typeof(ObserverSerializer).Assembly.GetName().Name}";
        var bindings = string.Join("\n", new[]
        {
            typeof(SubscribeObserver), typeof(UnsubscribeObserver), typeof(ObservedEvent), typeof(RingSample),
            typeof(Api.ObservedEventDto), typeof(Api.RingSampleDto),
        }.Select(t => $"    \"{t.FullName}, {t.Assembly.GetName().Name}\" = totem-observer"));
        return ConfigurationFactory.ParseString(string.Create(CultureInfo.InvariantCulture, $$"""
            akka.actor.provider = remote
            akka.actor.serializers.totem-observer = "{{serializer}}"
            akka.actor.serialization-bindings {
            {{bindings}}
            }
            akka.remote.dot-netty.tcp {
              hostname = "{{endpoint.Address}}"
              port = {{endpoint.Port}}
              public-hostname = "{{reachedAt ?? endpoint.Address.ToString()}}"
              # A few messages a second, each wanted on the page at once: DotNetty's write batching would hold a
              # write back for more to come (Akka's reference.conf: disable it for low traffic that needs < 40 ms).
              batching.enabled = false
            }
            # A watcher that lost a node keeps trying; the gate after a failed association is short, so a restarted
            # node is seen again within seconds.
            akka.remote.retry-gate-closed-for = 1s
            # Death watch's failure detector quarantines for good the process it declares unreachable: a node paused
            # (lab/pause.sh, a VM stall) past its pause would never be seen again by the dashboard, nor the dashboard by
            # it. So it declares nothing short of an hour: a process that goes away drops its connection, which both
            # ends see at once (DisassociatedEvent); a silent one is shown as silent by its missing samples.
            akka.remote.watch-failure-detector.acceptable-heartbeat-pause = 1h
            """));
    }
}
