using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace Totem.Host.Ringbench.Corosync;

/// <summary>
/// One cpgbench process in a corosync node's network namespace (`ip netns exec`), joined to the benchmark's CPG group
/// through that node's IPC socket: commands go to its stdin, its answers (<see cref="CpgBenchLines"/>) come back in
/// order. Killed on dispose.
/// </summary>
public sealed class CpgBenchClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<CpgLine> _lines = Channel.CreateUnbounded<CpgLine>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<string> _errors = [];
    private int _members;

    private CpgBenchClient(int node, Process process)
    {
        Node = node;
        _process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } text) lock (_errors) _errors.Add(text);
        };
        process.OutputDataReceived += (_, e) => Accept(e.Data);
    }

    public int Node { get; }

    /// <summary>The group's member count the client last reported.</summary>
    public int Members => Volatile.Read(ref _members);

    public static CpgBenchClient Start(CpgBenchProgram program, string networkNamespace, string group, int node, long windowBytes)
    {
        var info = new ProcessStartInfo("/usr/sbin/ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "netns", "exec", networkNamespace, program.Executable, group, node.ToString(CultureInfo.InvariantCulture), windowBytes.ToString(CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        var process = new Process { StartInfo = info };
        var client = new CpgBenchClient(node, process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return client;
    }

    public async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>The next answer, which must be a <typeparamref name="T"/> ("members" lines are taken in passing).</summary>
    public async Task<T> NextAsync<T>(TimeSpan timeout, CancellationToken ct) where T : CpgLine
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        CpgLine line;
        try
        {
            line = await _lines.Reader.ReadAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"cpgbench on corosync node {Node} did not answer '{typeof(T).Name}' within {timeout.TotalSeconds:0} s{Describe()}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"cpgbench on corosync node {Node} ended{Describe()}");
        }
        return line switch
        {
            T wanted => wanted,
            CpgError error => throw new InvalidOperationException($"cpgbench on corosync node {Node}: {error.Text}{Describe()}"),
            _ => throw new InvalidOperationException($"cpgbench on corosync node {Node} answered {line} where {typeof(T).Name} was due"),
        };
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await SendAsync("quit").ConfigureAwait(false);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private void Accept(string? text)
    {
        if (text is null)
        {
            _lines.Writer.TryComplete();
            return;
        }
        CpgLine line;
        try
        {
            line = CpgBenchLines.Parse(text);
        }
        catch (FormatException ex)
        {
            line = new CpgError(ex.Message);
        }
        if (line is CpgMembers members) Volatile.Write(ref _members, members.Count);
        else _lines.Writer.TryWrite(line);
    }

    private string Describe()
    {
        lock (_errors)
        {
            var exit = _process.HasExited ? $" (exited with {_process.ExitCode})" : "";
            return _errors.Count == 0 ? exit : $"{exit}; its stderr: {string.Join(" | ", _errors.TakeLast(5))}";
        }
    }
}
