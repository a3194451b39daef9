using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Totem.Host.Control.Api;
using Totem.Host.Ringbench.LocalRing;
using Totem.Nodes.Transport;
using Xunit.Abstractions;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// totem-dashboard against a real ring of five totemd processes with the observer plane on, in headless chromium:
/// the page shows the five members; a killed node is shown gone within a second and the ring's new membership when
/// it forms; with quorum lost, the survivors' watchdog countdown; every node gone (the survivors fence themselves)
/// and every node back. Screenshots of each state go to screenshots/ under the test output; the event latency (the
/// node's log line to the page) is printed.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private static readonly string Shots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [ChromiumFact]
    public async Task The_page_shows_the_ring_a_killed_node_gone_at_once_the_new_membership_and_the_fencing_countdown()
    {
        Directory.CreateDirectory(Shots);
        await RingScenario.RunAsync(new RingSpec(Nodes: 5), output, async (ring, step) =>
        {
            ring.ObserverPort = LoopbackPorts.Tcp(5);
            await RingScenario.StartFiveAsync(ring, step);

            var listen = $"127.0.0.1:{LoopbackPorts.Tcp(1).ToString(CultureInfo.InvariantCulture)}";
            // An address where no node answers: shown as unreachable, and it holds nothing else up.
            var nobody = $"{LocalRing.Address(9)}:{ring.ControlPort.ToString(CultureInfo.InvariantCulture)}";
            using var dashboard = DashboardProgram.Start(ring, listen, nobody);

            await using var browser = await DashboardPage.OpenAsync(listen, dashboard);
            var page = browser.Page;

            await page.WaitForSelectorAsync("[data-testid=members][data-count='5']", new() { Timeout = 20_000 });
            Assert.Equal("1 2 3 4 5", await page.InnerTextAsync("[data-testid=members]"));
            foreach (var n in ring.NodeIds) Assert.Equal("subscribed", await page.GetAttributeAsync($"[data-testid=link-{n}]", "data-state"));
            await page.WaitForSelectorAsync($"[data-testid=unreached] [data-control='{nobody}'][data-state=unreachable]", new() { Timeout = 10_000 });
            await Shot(page, "1-five-members.png");
            step.Done("page: 5 members, each node subscribed");

            var killedAt = Stopwatch.StartNew();
            var measuredFrom = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            ring.Kill(5);
            await page.WaitForSelectorAsync("[data-testid=link-5][data-state=gone]", new() { Timeout = 5_000 });
            var goneAfter = killedAt.Elapsed;
            step.Done($"page: node 5 gone {goneAfter.TotalMilliseconds:0} ms after SIGKILL");
            Assert.True(goneAfter < TimeSpan.FromSeconds(1), $"the page showed node 5 gone {goneAfter.TotalMilliseconds:0} ms after the kill (at most 1 s)");

            await page.WaitForSelectorAsync("[data-testid=members][data-count='4']", new() { Timeout = 30_000 });
            Assert.Equal("1 2 3 4", await page.InnerTextAsync("[data-testid=members]"));
            Assert.Contains("ring noticed", await page.InnerTextAsync("[data-testid=link-5]"));
            await Shot(page, "2-node-killed.png");
            step.Done($"page: new membership 1 2 3 4 {killedAt.Elapsed.TotalMilliseconds:0} ms after the kill; {await page.InnerTextAsync("[data-testid=link-5]")}");

            ring.Kill(4);
            ring.Kill(3);
            var countdown = await page.WaitForSelectorAsync("[data-testid^=countdown-]", new() { Timeout = 40_000 });
            var text = await countdown!.InnerTextAsync();
            Assert.Matches(@"^fencing in \d+\.\d s$", text);
            Assert.Contains("NO QUORUM", await page.InnerTextAsync("[data-testid=partitions]"));
            await Shot(page, "3-quorum-lost-countdown.png");
            step.Done($"page: quorum lost, '{text}'");

            // The events from the first kill to here, each against the line its node logged for it.
            var seen = JsonSerializer.Deserialize<List<SeenEvent>>(await page.EvaluateAsync<string>("JSON.stringify(window.__seen)"), new JsonSerializerOptions(JsonSerializerDefaults.Web))!
                .Where(e => e.At >= measuredFrom).ToList();
            ReportLatency(seen, ring.RunDirectory);

            // Every node dies (the two survivors fence themselves: mode exit) and comes back: the dashboard outlives them all.
            await page.WaitForSelectorAsync("[data-testid=link-1][data-state=gone]", new() { Timeout = 40_000 });
            await page.WaitForSelectorAsync("[data-testid=link-2][data-state=gone]", new() { Timeout = 10_000 });
            Assert.False(dashboard.HasExited, "the dashboard exited when the last node died");
            await Shot(page, "4-every-node-gone.png");
            step.Done("page: nodes 1 and 2 fenced themselves, every node gone");
            foreach (var n in ring.NodeIds) await ring.Process(n).WaitForExitAsync(TimeSpan.FromSeconds(10));
            ring.StartAll();
            await page.WaitForSelectorAsync("[data-testid=members][data-count='5']", new() { Timeout = 90_000 });
            foreach (var n in ring.NodeIds)
                await page.WaitForSelectorAsync($"[data-testid=link-{n}][data-state=subscribed]", new() { Timeout = 20_000 });
            Assert.Equal("1 2 3 4 5", await page.InnerTextAsync("[data-testid=members]"));
            await Shot(page, "5-every-node-back.png");
            step.Done("page: every node restarted, 5 members, each subscribed again");
            output.WriteLine($"screenshots: {Shots}");
        });
    }

    /// <summary>
    /// Issue 13: three nodes on two knet links (127.0.0.N and 127.0.1.N). Link 0 cut at node 3 (the in-node fault on the
    /// link, both directions): node 3's row shows "link 0 down" (down to every other node: its own link), the others'
    /// "link 0 down to 3", the event list knet's line; healed, the badges go.
    /// </summary>
    [ChromiumFact]
    public async Task Knet_link_events_show_as_badges_per_node_and_in_the_event_list()
    {
        Directory.CreateDirectory(Shots);
        await RingScenario.RunAsync(new RingSpec(Nodes: 3, Token: 1000, Links: 2), output, async (ring, step) =>
        {
            ring.ObserverPort = LoopbackPorts.Tcp(5);
            ring.StartAll();
            await ring.WaitForRingAsync([1, 2, 3], quorate: true, RingScenario.Generous);
            var listen = $"127.0.0.1:{LoopbackPorts.Tcp(1).ToString(CultureInfo.InvariantCulture)}";
            using var dashboard = DashboardProgram.Start(ring, listen);

            await using var browser = await DashboardPage.OpenAsync(listen, dashboard);
            var page = browser.Page;
            await page.WaitForSelectorAsync("[data-testid=members][data-count='3']", new() { Timeout = 30_000 });
            foreach (var n in ring.NodeIds)
                await page.WaitForSelectorAsync($"[data-testid=knet-{n}][data-down='']", new() { Timeout = 20_000 });
            step.Done("page: 3 members, no knet link down");

            var cut = await ring.Client(3).SetFaultAsync(new FaultRequest(null, null, null, 100, 0), CancellationToken.None);
            Assert.Contains(cut.Links ?? [], l => l.Link == 0 && l.LossPercent == 100);
            // Each render draws the badges anew, so a handle taken earlier may be a detached element with an older text
            // (node 3's two hosts go down a few ms apart: "link 0 down to 1" first, then "link 0 down"; stop 28's CI):
            // every check reads the page as it is now.
            await WaitForTextAsync(page, "knet-3-link-0", "link 0 down");
            foreach (var n in new[] { 1, 2 })
            {
                await WaitForTextAsync(page, $"knet-{n}-link-0", "link 0 down to 3");
                Assert.Equal("0", await page.GetAttributeAsync($"[data-testid=knet-{n}]", "data-down"));
            }
            Assert.Equal("link 0 down", await page.InnerTextAsync("[data-testid=knet-3-link-0]"));
            Assert.Contains("link: host: 3 link: 0 is down", await page.InnerTextAsync("[data-testid=log]"), StringComparison.Ordinal);
            Assert.Equal("1 2 3", await page.InnerTextAsync("[data-testid=members]"));
            await Shot(page, "knet-link-0-cut-at-3.png");
            step.Done("page: node 3 'link 0 down', nodes 1 and 2 'link 0 down to 3', knet's line in the event list, still 3 members");

            var healed = await ring.Client(3).ClearFaultsAsync(null, CancellationToken.None, 0);
            Assert.DoesNotContain(healed.Links ?? [], l => l.Link == 0);
            foreach (var n in ring.NodeIds)
                await page.WaitForSelectorAsync($"[data-testid=knet-{n}][data-down='']", new() { Timeout = 20_000 });
            Assert.Contains("rx: host: 3 link: 0 is up", await page.InnerTextAsync("[data-testid=log]"), StringComparison.Ordinal);
            step.Done("page: healed, no badge left, knet's up line in the event list");
        });
    }

    /// <summary>Waits until the element with <paramref name="testId"/> exists and shows <paramref name="text"/>.</summary>
    private static async Task WaitForTextAsync(IPage page, string testId, string text)
    {
        try
        {
            await page.WaitForFunctionAsync("([id, text]) => document.querySelector(`[data-testid=${id}]`)?.textContent === text",
                new object[] { testId, text }, new() { Timeout = 20_000 });
        }
        catch (PlaywrightException)
        {
            var now = await page.EvaluateAsync<string?>("id => document.querySelector(`[data-testid=${id}]`)?.textContent ?? null", testId);
            Assert.Fail($"[data-testid={testId}] did not show \"{text}\" within 20 s; it shows {(now is null ? "nothing (no such element)" : $"\"{now}\"")}");
        }
    }

    private sealed record SeenEvent(uint Node, string Type, long At, long Seen, long? Shown);

    /// <summary>
    /// Prints, for each event the page got, the time from the line its node logged for it (corosync's wording, the
    /// timestamp Serilog took when the node wrote it) to the page: when it arrived (SSE) and when it was drawn.
    /// Printed, not asserted: a timing claim on a shared machine belongs in the report.
    /// </summary>
    private void ReportLatency(IReadOnlyList<SeenEvent> seen, string runDirectory)
    {
        var logged = new Dictionary<uint, List<NodeLogLine>>();
        var measured = new List<(SeenEvent Event, long LoggedAt)>();
        var unmatched = new List<string>();
        foreach (var e in seen)
        {
            if (!logged.TryGetValue(e.Node, out var lines))
                logged[e.Node] = lines = NodeLogLine.Read(Path.Combine(runDirectory, $"node{e.Node}.log"));
            // The line of the event's kind nearest to the event's own stamp (the node stamps and logs it in one step).
            var line = lines.Where(l => NodeLogLine.Marks(e.Type, l.Message)).MinBy(l => Math.Abs(l.At - e.At));
            if (line is null || Math.Abs(line.At - e.At) > 2000) unmatched.Add($"{e.Type} on node {e.Node}");
            else measured.Add((e, line.At));
        }
        Assert.NotEmpty(measured);
        Assert.All(measured, m => Assert.NotNull(m.Event.Shown));
        foreach (var (e, at) in measured.OrderBy(m => m.LoggedAt))
        {
            var drawnAfter = e.Shown is { } shown ? (shown - at).ToString(CultureInfo.InvariantCulture) + " ms" : "not yet";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  node {e.Node} {e.Type,-17} logged {DateTimeOffset.FromUnixTimeMilliseconds(at).ToLocalTime():HH:mm:ss.fff}, on the page {e.Seen - at} ms later, drawn {drawnAfter}"));
        }
        var arrived = measured.Select(m => m.Event.Seen - m.LoggedAt).Order().ToList();
        var drawn = measured.Where(m => m.Event.Shown is not null).Select(m => m.Event.Shown!.Value - m.LoggedAt).Order().ToList();
        var missing = unmatched.Count > 0 ? "; no log line found for " + string.Join(", ", unmatched) : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"event latency, node's log line -> page, {arrived.Count} events: arrived min {arrived[0]}, median {arrived[arrived.Count / 2]}, max {arrived[^1]} ms; " +
            $"drawn min {drawn[0]}, median {drawn[drawn.Count / 2]}, max {drawn[^1]} ms{missing}"));
    }

    /// <summary>Debian's chromium, headless, on the dashboard's page (retried while the dashboard starts listening).</summary>
    private sealed class DashboardPage(IPlaywright playwright, IBrowser browser, IPage page) : IAsyncDisposable
    {
        public IPage Page => page;

        public static async Task<DashboardPage> OpenAsync(string listen, TotemdProcess dashboard)
        {
            var playwright = await Playwright.CreateAsync();
            IBrowser? browser = null;
            try
            {
                browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = ChromiumFactAttribute.Chromium,
                    Headless = true,
                    Args = ["--no-sandbox"],
                });
                var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
                await RetryAsync(() => page.GotoAsync($"http://{listen}/"), TimeSpan.FromSeconds(20), dashboard);
                return new DashboardPage(playwright, browser, page);
            }
            catch
            {
                if (browser is not null) await browser.DisposeAsync();
                playwright.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    private static Task Shot(IPage page, string name) => page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Shots, name), FullPage = true });

    private static async Task RetryAsync(Func<Task> action, TimeSpan within, TotemdProcess dashboard)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await action();
                return;
            }
            catch (PlaywrightException) when (clock.Elapsed < within && !dashboard.HasExited)
            {
                await Task.Delay(200);
            }
            catch (PlaywrightException ex)
            {
                throw new InvalidOperationException($"the dashboard's page did not load: {ex.Message}\n{dashboard.Tail(20)}", ex);
            }
        }
    }

    internal static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
