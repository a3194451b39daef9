using System.Globalization;
using Totem.Host.Ringbench.LocalRing;

namespace Totem.MultiProcess.Tests;

/// <summary>totem-dashboard started against a local ring's nodes (their control API and observer plane), as the dashboard tests run it.</summary>
internal static class DashboardProgram
{
    /// <param name="listen">Where the page is served (127.0.0.1:PORT).</param>
    /// <param name="extraNodes">More --node targets beyond the ring's own (addresses where no node answers, say).</param>
    public static TotemdProcess Start(LocalRing ring, string listen, params string[] extraNodes)
    {
        var observer = ring.ObserverPort ?? throw new InvalidOperationException("the ring's observer plane is off: set ObserverPort before starting it");
        var arguments = new List<string> { Path.Combine(AppContext.BaseDirectory, "totem-dashboard.dll"), "--listen", listen,
            "--control-port", ring.ControlPort.ToString(CultureInfo.InvariantCulture), "--observer-port", observer.ToString(CultureInfo.InvariantCulture) };
        foreach (var n in ring.NodeIds) arguments.AddRange(["--node", LocalRing.Address(n).ToString()]);
        foreach (var node in extraNodes) arguments.AddRange(["--node", node]);
        return TotemdProcess.StartProgram(0, DashboardBrowserTests.DotnetHost(), arguments, Path.Combine(ring.RunDirectory, "dashboard.log"));
    }
}
