using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Totem.Host.Ringbench.LocalRing;
using Totem.Nodes.Transport;
using Xunit.Abstractions;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// A node paused (SIGSTOP, as lab/pause.sh freezes a container) for longer than Akka.Remote's death watch would
/// tolerate comes back on the dashboard once it is continued: death watch's failure detector used to declare it
/// dead, which quarantined its process for good, and the page kept its last sample from before the pause forever
/// (found by the compose e2e's 7-node dashboard check after lab/pause.sh).
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class DashboardPauseTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Paused = TimeSpan.FromSeconds(12);

    [Fact]
    public Task A_node_paused_past_death_watch_is_shown_silent_and_then_sampled_again_when_continued() =>
        RingScenario.RunAsync(new RingSpec(Nodes: 5), output, async (ring, step) =>
        {
            ring.ObserverPort = LoopbackPorts.Tcp(5);
            await RingScenario.StartFiveAsync(ring, step);
            var listen = $"127.0.0.1:{LoopbackPorts.Tcp(1).ToString(CultureInfo.InvariantCulture)}";
            using var dashboard = DashboardProgram.Start(ring, listen);

            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var feed = new EventFeed();
            var reading = ReadAsync(http, $"http://{listen}/events", feed, dashboard, stop.Token);

            await feed.WaitAsync(f => f.SampledSince(5, DateTimeOffset.MinValue), TimeSpan.FromSeconds(30), dashboard);
            step.Done("the dashboard samples node 5");

            ring.Process(5).Signal(TotemdProcess.SigStop);
            var stoppedAt = Stopwatch.StartNew();
            await feed.WaitAsync(f => f.LinkState(5) == "unreachable", TimeSpan.FromSeconds(10), dashboard);
            step.Done($"SIGSTOP node 5 -> shown unreachable after {stoppedAt.ElapsedMilliseconds} ms ({feed.LinkDetail(5)})");
            var left = Paused - stoppedAt.Elapsed;
            if (left > TimeSpan.Zero) await Task.Delay(left);

            ring.Process(5).Signal(TotemdProcess.SigCont);
            var continuedAt = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            await feed.WaitAsync(f => f.SampledSince(5, continuedAt) && f.LinkState(5) == "subscribed", TimeSpan.FromSeconds(30), dashboard);
            step.Done($"SIGCONT after {Paused.TotalSeconds:0} s -> node 5 sampled again and subscribed after {clock.ElapsedMilliseconds} ms");
            await stop.CancelAsync();
            await reading;
        });

    private static async Task ReadAsync(HttpClient http, string url, EventFeed feed, TotemdProcess dashboard, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
                string? kind = null;
                while (await reader.ReadLineAsync(ct) is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal)) kind = line[7..];
                    else if (line.StartsWith("data: ", StringComparison.Ordinal) && kind is not null) feed.Add(kind, JsonDocument.Parse(line[6..]).RootElement.Clone());
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(20) && !dashboard.HasExited)
            {
                await Task.Delay(200, CancellationToken.None);
            }
        }
    }

    /// <summary>The page's view: each node's latest link state and when it was last sampled.</summary>
    private sealed class EventFeed
    {
        private readonly object _gate = new();
        private readonly Dictionary<uint, DateTimeOffset> _sampled = new();
        private readonly Dictionary<uint, (string State, string Detail)> _links = new();

        public void Add(string kind, JsonElement data)
        {
            lock (_gate)
            {
                if (kind == "sample") _sampled[data.GetProperty("node").GetUInt32()] = data.GetProperty("at").GetDateTimeOffset();
                else if (kind == "node" && data.TryGetProperty("node", out var node) && node.ValueKind == JsonValueKind.Number)
                    _links[node.GetUInt32()] = (data.GetProperty("state").GetString() ?? "", data.GetProperty("detail").GetString() ?? "");
            }
        }

        public bool SampledSince(uint node, DateTimeOffset since)
        {
            lock (_gate) return _sampled.TryGetValue(node, out var at) && at > since;
        }

        public string? LinkState(uint node)
        {
            lock (_gate) return _links.TryGetValue(node, out var link) ? link.State : null;
        }

        public string? LinkDetail(uint node)
        {
            lock (_gate) return _links.TryGetValue(node, out var link) ? link.Detail : null;
        }

        public async Task WaitAsync(Func<EventFeed, bool> condition, TimeSpan within, TotemdProcess dashboard)
        {
            var clock = Stopwatch.StartNew();
            while (!condition(this))
            {
                if (clock.Elapsed > within || dashboard.HasExited)
                    throw new TimeoutException($"the dashboard's feed did not show it within {within.TotalSeconds:0} s; links: " +
                        string.Join(", ", _links.Select(l => $"{l.Key}={l.Value.State} ({l.Value.Detail})")) + $"\n{dashboard.Tail(20)}");
                await Task.Delay(100);
            }
        }
    }
}
