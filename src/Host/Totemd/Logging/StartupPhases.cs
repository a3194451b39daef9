using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace Totem.Host.Totemd.Logging;

/// <summary>
/// The start-up phases of one totemd process, in ms since the process started (the kernel's start
/// time, so the runtime's own start-up counts too): the host marks what it does, and as a log sink
/// this also sees the node's own lines, which carry the phases the host cannot observe (socket bound,
/// first join sent, first membership). Once the first membership forms, <see cref="Completed"/>
/// completes and totemd logs them as one line, which ringbench reads.
/// </summary>
public sealed partial class StartupPhases : ILogEventSink
{
    public const string HostStarted = "host started";
    public const string SettingsLoaded = "settings loaded";
    public const string ConfigLoaded = "config loaded";
    public const string LogReady = "log ready";
    public const string IdentityKnown = "identity known";
    public const string SocketBound = "socket bound";
    public const string ActorSystemReady = "actor system ready";
    public const string FirstJoinSent = "first join sent";
    public const string RingOfOneFormed = "ring of one formed";
    public const string FirstRingFormed = "first ring formed";
    public const string ControlApiListening = "control API listening";

    /// <summary>The prefix of the one line; ringbench finds the line by it.</summary>
    public const string LinePrefix = "Start-up phases (ms since process start): ";

    private readonly Lock _gate = new();
    private readonly List<(string Name, double Ms)> _marks = [];
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _joinSeen;
    private bool _ringSeen;
    private bool _bindSeen;

    public StartupPhases(DateTimeOffset processStart) => ProcessStart = processStart;

    /// <summary>For this process: its start time as the kernel recorded it.</summary>
    public static StartupPhases ForCurrentProcess()
    {
        DateTimeOffset start;
        try
        {
            using var self = Process.GetCurrentProcess();
            start = new DateTimeOffset(self.StartTime.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            // No start time to be had: measure from now, which leaves out only the runtime's start.
            start = DateTimeOffset.UtcNow;
        }
        return new StartupPhases(start);
    }

    public DateTimeOffset ProcessStart { get; }

    /// <summary>Completes when the first membership has formed (the phases are then all known).</summary>
    public Task Completed => _completed.Task;

    public void Mark(string name) => Mark(name, DateTimeOffset.UtcNow);

    public void Mark(string name, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_marks.Any(m => m.Name == name)) return;
            _marks.Add((name, Math.Max(0, (at - ProcessStart).TotalMilliseconds)));
        }
    }

    /// <summary>The phases marked so far, in the order they happened.</summary>
    public IReadOnlyList<(string Name, double Ms)> Marks()
    {
        lock (_gate) return _marks.OrderBy(m => m.Ms).ToArray();
    }

    /// <summary>The one line, e.g. "Start-up phases (ms since process start): host started 61, config loaded 118, ...".</summary>
    public string Line() => LinePrefix + string.Join(", ", Marks().Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Name} {m.Ms:0}")));

    /// <summary>Reads a <see cref="Line"/> back (ringbench); empty when <paramref name="line"/> has none.</summary>
    public static IReadOnlyDictionary<string, double> Parse(string line)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        var at = line.IndexOf(LinePrefix, StringComparison.Ordinal);
        if (at < 0) return result;
        foreach (Match m in PhasePattern().Matches(line[(at + LinePrefix.Length)..]))
            result[m.Groups["name"].Value] = double.Parse(m.Groups["ms"].Value, CultureInfo.InvariantCulture);
        return result;
    }

    [GeneratedRegex(@"(?<name>[A-Za-z][A-Za-z ]*?) (?<ms>\d+(\.\d+)?)(,|$)")]
    private static partial Regex PhasePattern();

    /// <summary>Sees every event, debug included, while start-up lasts; then returns at the first check.</summary>
    public void Emit(LogEvent logEvent)
    {
        if (_ringSeen) return;
        var text = logEvent.MessageTemplate.Text;
        if (!_bindSeen && text.StartsWith("The network interface [", StringComparison.Ordinal))
        {
            _bindSeen = true;
            Mark(SocketBound, logEvent.Timestamp);
        }
        else if (!_joinSeen && text.StartsWith("entering GATHER state", StringComparison.Ordinal))
        {
            // totemsrp sends its first join as it enters GATHER, and logs the entry right after.
            _joinSeen = true;
            Mark(FirstJoinSent, logEvent.Timestamp);
        }
        else if (text.StartsWith("A new membership (", StringComparison.Ordinal))
        {
            _ringSeen = true;
            // A fresh node's first ring holds only itself (corosync's my_proc_list starts as {me});
            // a join that arrives within the first ms can make it larger.
            var members = logEvent.Properties.TryGetValue("Joined", out var joined) ? Words(joined) : 0;
            Mark(members == 1 ? RingOfOneFormed : FirstRingFormed, logEvent.Timestamp);
            _completed.TrySetResult();
        }
    }

    private static int Words(LogEventPropertyValue value) =>
        (value is ScalarValue { Value: string s } ? s : value.ToString().Trim('"'))
            .Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Length;
}
