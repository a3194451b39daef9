using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

namespace Totem.Host.Ringbench.LocalRing;

/// <summary>
/// One totemd process of a local ring (native, or `dotnet totemd.dll`): its output captured line by line (in memory and
/// in a log file), POSIX signals by pid, and its resident memory. Disposing kills it if it still runs.
/// </summary>
public sealed class TotemdProcess : IDisposable
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    /// <summary>Freezes the process (lab/pause.sh does the same to a container); <see cref="SigCont"/> thaws it.</summary>
    public const int SigStop = 19;
    public const int SigCont = 18;

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StreamWriter _log;
    private readonly Lock _gate = new();
    private bool _closed;

    private TotemdProcess(int nodeId, Process process, StreamWriter log, DateTimeOffset startedAt)
    {
        NodeId = nodeId;
        _process = process;
        _log = log;
        StartedAt = startedAt;
    }

    public int NodeId { get; }

    public int Pid => _process.Id;

    public DateTimeOffset StartedAt { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The exit status; a process ended by a signal reports 128 + signal (137 for SIGKILL).</summary>
    public int ExitCode => _process.ExitCode;

    /// <param name="observerPort">The observer plane's port (--observer), or null for none.</param>
    public static TotemdProcess Start(TotemdProgram program, string configPath, int nodeId, IPEndPoint control, string clientSocket, string logPath, int? observerPort = null) =>
        StartProgram(nodeId, program.Executable,
            program.LeadingArguments.Concat(["--config", configPath, "--nodeid", nodeId.ToString(CultureInfo.InvariantCulture), "--control", control.ToString(),
                "--client-socket", clientSocket])
                .Concat(observerPort is { } port ? ["--observer", "--observer-port", port.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>()),
            logPath);

    /// <summary>Any ring member's program with its arguments (ringbench's corosync nodes run through here too).</summary>
    public static TotemdProcess StartProgram(int nodeId, string executable, IEnumerable<string> arguments, string logPath)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var arg in arguments) info.ArgumentList.Add(arg);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var started = DateTimeOffset.UtcNow;
        var node = new TotemdProcess(nodeId, process, log, started);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            log.Dispose();
            process.Dispose();
            throw;
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    public IReadOnlyList<string> Lines()
    {
        lock (_gate) return _lines.ToArray();
    }

    public string Tail(int count)
    {
        lock (_gate) return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - count)));
    }

    /// <summary>Sends a POSIX signal (the process may ignore or handle it as totemd does SIGTERM).</summary>
    public void Signal(int signal)
    {
        if (_process.HasExited) throw new InvalidOperationException($"node {NodeId} (pid {Pid}) has already exited with {ExitCode}");
        if (SendSignal(Pid, signal) != 0)
            throw new InvalidOperationException($"kill({Pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Waits for the exit and for the last of its output (so <see cref="Lines"/> is complete).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"node {NodeId} (pid {Pid}) did not exit within {timeout.TotalSeconds:0.#} s; last output:\n{Tail(15)}");
        }
        return _process.ExitCode;
    }

    /// <summary>VmRSS from /proc/PID/status, in KiB; null once the process is gone.</summary>
    public long? ResidentKiB()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var digits = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(digits, CultureInfo.InvariantCulture);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return null;
    }

    /// <summary>Linux's USER_HZ: /proc reports CPU times in these ticks (100 per second on every architecture .NET runs on).</summary>
    private const double ClockTicksPerSecond = 100;

    /// <summary>
    /// CPU time of every thread of the process so far, exited threads included (utime + stime of /proc/PID/stat,
    /// 10 ms ticks); null once the process is gone.
    /// </summary>
    public TimeSpan? CpuTime()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{Pid}/stat");
            // The command name (field 2) may hold spaces and parentheses: the fields are counted after its last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / ClockTicksPerSecond);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Where the resident memory is, in KiB: RssAnon, RssFile and RssShmem of /proc/PID/status and
    /// Pss of /proc/PID/smaps_rollup. VmRSS counts the shared framework's pages in full in every
    /// process; PSS splits them among the processes that map them. Null once the process is gone.
    /// </summary>
    public (long Anon, long File, long Shmem, long Pss)? ResidentBreakdownKiB()
    {
        try
        {
            long Field(IEnumerable<string> lines, string name) =>
                lines.Where(l => l.StartsWith(name, StringComparison.Ordinal))
                    .Select(l => long.Parse(l[name.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture))
                    .FirstOrDefault();
            var status = File.ReadAllLines($"/proc/{Pid}/status");
            var rollup = File.Exists($"/proc/{Pid}/smaps_rollup") ? File.ReadAllLines($"/proc/{Pid}/smaps_rollup") : [];
            return (Field(status, "RssAnon:"), Field(status, "RssFile:"), Field(status, "RssShmem:"), Field(rollup, "Pss:"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_gate)
        {
            _lines.Add(line);
            if (!_closed) _log.WriteLine(line);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        // Drains the redirected output before the log closes.
        if (_process.HasExited) _process.WaitForExit();
        lock (_gate)
        {
            _closed = true;
            _log.Dispose();
        }
        _process.Dispose();
    }

    // DllImport rather than LibraryImport: int arguments need no marshalling, and no unsafe code.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
