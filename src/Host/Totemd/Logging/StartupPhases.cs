using System.Runtime.InteropServices;
using System.Globalization;
using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace Totem.Host.Totemd.Logging;

/// <summary>
/// The start-up phases of one totemd process, in ms since the process started (the kernel's start
/// time, so the runtime's own start-up counts too): the host marks what it does, and as a log sink
/// this also sees the node's own lines, which carry the phases the host cannot observe (socket bound,
/// first join sent, first membership, quorate). <see cref="RingFormed"/> completes with the first
/// membership, <see cref="Completed"/> once the node is quorate; then totemd logs them as one line,
/// which ringbench reads.
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
    public const string Quorate = "quorate";
    public const string ControlApiListening = "control API listening";

    /// <summary>The prefix of the one line; ringbench finds the line by it.</summary>
    public const string LinePrefix = "Start-up phases (ms since process start): ";

    private readonly Lock _gate = new();
    private readonly List<(string Name, double Ms)> _marks = [];
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ringFormed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _joinSeen;
    private bool _ringSeen;
    private bool _quorateSeen;
    private bool _bindSeen;

    public StartupPhases(DateTimeOffset processStart) => ProcessStart = processStart;

    /// <summary>For this process: its start time as the kernel recorded it.</summary>
    public static StartupPhases ForCurrentProcess() =>
        // No start time to be had: measure from now, which leaves out only the runtime's start.
        new(KernelStartTime() ?? DateTimeOffset.UtcNow);

    /// <summary>
    /// The kernel's start time of this process, as Process.StartTime reads it on Linux (field 22 of
    /// /proc/self/stat, clock ticks after boot, against CLOCK_BOOTTIME now), without loading
    /// System.Diagnostics.Process and its dependencies into every node (some 0.4 MiB and a few ms).
    /// </summary>
    public static DateTimeOffset? KernelStartTime()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticksPerSecond = Native.sysconf(Native.ScClkTck);
            if (fields.Length < 20 || ticksPerSecond <= 0 || Native.clock_gettime(Native.ClockBoottime, out var now) != 0) return null;
            var startedAfterBoot = ulong.Parse(fields[19], CultureInfo.InvariantCulture) / (double)ticksPerSecond;
            var sinceBoot = now.Seconds + now.Nanoseconds / 1e9;
            return DateTimeOffset.UtcNow - TimeSpan.FromSeconds(sinceBoot - startedAfterBoot);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or OverflowException or DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    private static class Native
    {
        public const int ClockBoottime = 7;
        public const int ScClkTck = 2;

        [StructLayout(LayoutKind.Sequential)]
        public struct Timespec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc", SetLastError = false)]
        public static extern int clock_gettime(int clockId, out Timespec time);

        [DllImport("libc", SetLastError = false)]
        public static extern long sysconf(int name);
    }

    public DateTimeOffset ProcessStart { get; }

    /// <summary>Completes when the first membership has formed (the debug-level observation may end then).</summary>
    public Task RingFormed => _ringFormed.Task;

    /// <summary>Completes when the node is first quorate (the phases are then all known).</summary>
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
        if (_quorateSeen) return;
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
        else if (_ringSeen)
        {
            // votequorum's line as corosync words it (quorum_api_set_quorum); it follows a membership.
            if (text == "This node is within the primary component and will provide service.")
            {
                _quorateSeen = true;
                Mark(Quorate, logEvent.Timestamp);
                _completed.TrySetResult();
            }
        }
        else if (text.StartsWith("A new membership (", StringComparison.Ordinal))
        {
            _ringSeen = true;
            // A fresh node's first ring holds only itself (corosync's my_proc_list starts as {me});
            // a join that arrives within the first ms can make it larger.
            var members = logEvent.Properties.TryGetValue("Joined", out var joined) ? Words(joined) : 0;
            Mark(members == 1 ? RingOfOneFormed : FirstRingFormed, logEvent.Timestamp);
            _ringFormed.TrySetResult();
        }
    }

    private static int Words(LogEventPropertyValue value) =>
        (value is ScalarValue { Value: string s } ? s : value.ToString().Trim('"'))
            .Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Length;
}
