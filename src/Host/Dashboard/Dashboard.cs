using Akka.Configuration;

namespace Totem.Host.Dashboard;

/// <summary>The dashboard's Akka settings under the observer plane's (ObserverPlane.RemoteConfig).</summary>
internal static class Dashboard
{
    /// <summary>
    /// Death watch tuned for a lab view: a node whose process is gone is declared so within a few seconds (Akka's
    /// default waits 10 s of missed heartbeats). The page shows "gone" earlier still, when the connection drops.
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
        akka.remote.watch-failure-detector {
          heartbeat-interval = 500ms
          acceptable-heartbeat-pause = 2s
          unreachable-nodes-reaper-interval = 500ms
          expected-response-after = 1s
        }
        """);
}
