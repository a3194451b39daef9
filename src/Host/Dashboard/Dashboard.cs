using Akka.Configuration;

namespace Totem.Host.Dashboard;

/// <summary>The dashboard's Akka settings under the observer plane's (ObserverPlane.RemoteConfig).</summary>
internal static class Dashboard
{
    /// <summary>
    /// Lean settings for a process that watches a handful of nodes. "Gone" comes from the observer's connection
    /// dropping (NodeWatcher), not from death watch's failure detector, which would quarantine a paused node for good
    /// (ObserverPlane.RemoteConfig).
    /// </summary>
    public static readonly Config Settings = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.log-dead-letters = 0
        akka.remote.log-remote-lifecycle-events = off
        # The dashboard's timers are seconds long (retries, identify, death watch): a 10 ms tick (Akka's default) woke
        # the process 100 times a second for nothing; events never wait on the scheduler.
        akka.scheduler.tick-duration = 100ms
        # A handful of connections of a few messages a second: one DotNetty event loop each way, not one per core.
        akka.remote.dot-netty.tcp {
          server-socket-worker-pool { pool-size-min = 1, pool-size-factor = 1.0, pool-size-max = 1 }
          client-socket-worker-pool { pool-size-min = 1, pool-size-factor = 1.0, pool-size-max = 1 }
        }
        """);
}
