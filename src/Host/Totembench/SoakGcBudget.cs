using System.Runtime.InteropServices;
using System.Text;

namespace Totem.Host.Totembench;

/// <summary>
/// The gen0 budget the seed-running commands (<c>soak</c>, <c>digests</c>) run with. A seed allocates fast and keeps
/// much of it alive until it ends (every node's delivered log, the recorder's history, an Akka system per node
/// incarnation), so with the default budget nearly every gen0 collection promotes; 64 MiB saves CPU
/// (notes/issue-10-soak-speed.md has the measurements). The runtime reads <c>GCgen0size</c> from the environment only:
/// the GC gives it no public name, so no runtimeconfig property sets it (tried). So the command, started without it,
/// replaces itself (execve: same process id, same command line, same standard streams) with itself under the budget,
/// before any seed runs. A budget the caller set, any value, is left as it is. Traces do not depend on it.
/// </summary>
public static class SoakGcBudget
{
    public const string Variable = "DOTNET_GCgen0size";
    public const string Budget = "0x4000000";

    private static readonly string[] LegacyVariables = ["COMPlus_GCgen0size", "CORECLR_GCgen0size"];

    /// <summary>Whether the command <paramref name="args"/> should run under the budget and does not yet: a seed-running command, and no gen0 budget in <paramref name="environment"/>.</summary>
    public static bool Wanted(IReadOnlyList<string> args, Func<string, string?> environment) =>
        args.Count > 0 && args[0] is ("soak" or "digests") && environment(Variable) is null && LegacyVariables.All(v => environment(v) is null);

    /// <summary>Returns only when this process keeps running as it is (not a seed command, a budget already set, not Linux, or execve failed).</summary>
    public static void Apply(string[] args, TextWriter error)
    {
        if (!OperatingSystem.IsLinux() || !Wanted(args, Environment.GetEnvironmentVariable)) return;
        string[] argv;
        try
        {
            // The exact argv this process was started with (apphost or `dotnet totembench.dll`), so the command line
            // that ps and pgrep show stays what the caller typed.
            argv = File.ReadAllText("/proc/self/cmdline", Encoding.UTF8).TrimEnd('\0').Split('\0');
        }
        catch (IOException)
        {
            return;
        }
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}")
            .Append($"{Variable}={Budget}")
            .ToList();
        // The host's own path (the apphost, or dotnet for `dotnet totembench.dll`), not /proc/self/exe: the process
        // name top and pgrep show comes from it.
        if (Environment.ProcessPath is not { } host) return;
        Execve(host, [.. argv, null], [.. environment, null]);
        // Only reached when execve failed: run on without the budget, slower but the same.
        error.WriteLine($"totembench: could not re-run with {Variable}={Budget} (execve: errno {Marshal.GetLastPInvokeError()}); running with the default gen0 budget");
    }

    // DllImport rather than LibraryImport (as TotemdProcess's kill): the string arrays marshal as NULL-terminated
    // char* arrays without unsafe code (LPStr is UTF-8 on Unix; a string array takes no LPUTF8Str).
    [DllImport("libc", EntryPoint = "execve", SetLastError = true)]
    private static extern int Execve(
        [MarshalAs(UnmanagedType.LPUTF8Str)] string path,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] argv,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] envp);
}
