using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Totem.Host.Ringbench.LocalRing;
using Totem.Nodes.Transport;
using Xunit.Abstractions;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// totem-dashboard against a real ring of five totemd processes with the observer plane on, in headless chromium:
/// the page shows the five members; a killed node is shown gone within a second and the ring's new membership when
/// it forms; with quorum lost, the survivors' watchdog countdown. Screenshots of each state go to
/// screenshots/ under the test output; the event latency (node's timestamp to the page) is printed.
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
            var dashboardDll = Path.Combine(AppContext.BaseDirectory, "totem-dashboard.dll");
            var arguments = new List<string> { dashboardDll, "--listen", listen, "--control-port", ring.ControlPort.ToString(CultureInfo.InvariantCulture),
                "--observer-port", ring.ObserverPort.Value.ToString(CultureInfo.InvariantCulture) };
            foreach (var n in ring.NodeIds) arguments.AddRange(["--node", LocalRing.Address(n).ToString()]);
            using var dashboard = TotemdProcess.StartProgram(0, DotnetHost(), arguments, Path.Combine(ring.RunDirectory, "dashboard.log"));

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumFactAttribute.Chromium,
                Headless = true,
                Args = ["--no-sandbox"],
            });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
            await RetryAsync(() => page.GotoAsync($"http://{listen}/"), TimeSpan.FromSeconds(20), dashboard);

            await page.WaitForSelectorAsync("[data-testid=members][data-count='5']", new() { Timeout = 20_000 });
            Assert.Equal("1 2 3 4 5", await page.InnerTextAsync("[data-testid=members]"));
            foreach (var n in ring.NodeIds) Assert.Equal("subscribed", await page.GetAttributeAsync($"[data-testid=link-{n}]", "data-state"));
            await Shot(page, "1-five-members.png");
            step.Done("page: 5 members, each node subscribed");

            var killedAt = Stopwatch.StartNew();
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

            var seen = JsonSerializer.Deserialize<List<SeenEvent>>(await page.EvaluateAsync<string>("JSON.stringify(window.__seen)"), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            var latencies = seen.Select(s => s.Seen - s.At).Order().ToList();
            Assert.NotEmpty(latencies);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"event latency, node's timestamp -> page (ms), {latencies.Count} events: min {latencies[0]}, median {latencies[latencies.Count / 2]}, max {latencies[^1]}; " +
                $"by type: {string.Join(", ", seen.GroupBy(s => s.Type).Select(g => $"{g.Key} {g.Max(s => s.Seen - s.At)}"))}"));
            output.WriteLine($"screenshots: {Shots}");
        });
    }

    private sealed record SeenEvent(uint Node, string Type, long At, long Seen);

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

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
