using System.Diagnostics;

namespace Totem.Host.Ringbench.Corosync;

/// <summary>
/// cpgbench.c (embedded in ringbench) compiled with clang against Debian's libcpg-dev at ringbench's start, into a
/// directory of its own: the CPG client <see cref="CorosyncThroughput"/> runs in every corosync node's namespace.
/// </summary>
public sealed class CpgBenchProgram : IDisposable
{
    public const string Header = "/usr/include/corosync/cpg.h";
    public const string Library = "/usr/lib/x86_64-linux-gnu/libcpg.so";
    private const string Source = "cpgbench.c";

    private CpgBenchProgram(string directory) => Directory = directory;

    public string Directory { get; }

    public string Executable => Path.Combine(Directory, "cpgbench");

    /// <summary>Why it cannot be built here (no clang, no libcpg-dev), or null.</summary>
    public static string? Unavailable() =>
        Clang() is null ? "clang is not installed (apt-get install clang): it builds the CPG client"
        : !File.Exists(Header) ? $"{Header} is missing (apt-get install libcpg-dev): the CPG client is built against it"
        : !File.Exists(Library) ? $"{Library} is missing (apt-get install libcpg-dev): the CPG client links with it"
        : null;

    /// <summary>The C source as ringbench carries it.</summary>
    public static string SourceText()
    {
        using var stream = typeof(CpgBenchProgram).Assembly.GetManifestResourceStream(Source)
            ?? throw new InvalidOperationException($"ringbench was built without its embedded {Source}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static async Task<CpgBenchProgram> BuildAsync(CancellationToken ct)
    {
        if (Unavailable() is { } why) throw new InvalidOperationException($"ringbench --corosync: {why}");
        var dir = Path.Combine(Path.GetTempPath(), "totem-cpgbench-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        var program = new CpgBenchProgram(dir);
        try
        {
            var source = Path.Combine(dir, Source);
            await File.WriteAllTextAsync(source, SourceText(), ct).ConfigureAwait(false);
            var info = new ProcessStartInfo(Clang()!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-O2", "-Wall", "-Werror", "-o", program.Executable, source, "-lcpg" }) info.ArgumentList.Add(a);
            using var clang = Process.Start(info) ?? throw new InvalidOperationException("cannot start clang");
            var errors = clang.StandardError.ReadToEndAsync(ct);
            await clang.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
            await clang.WaitForExitAsync(ct).ConfigureAwait(false);
            if (clang.ExitCode != 0)
                throw new InvalidOperationException($"ringbench --corosync: clang could not build the CPG client {source} (exit {clang.ExitCode}):\n{(await errors.ConfigureAwait(false)).Trim()}");
        }
        catch
        {
            program.Dispose();
            throw;
        }
        return program;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Still in use by a dying client; the temp directory is the OS's to clean.
        }
    }

    private static string? Clang() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "clang")).FirstOrDefault(File.Exists);
}
