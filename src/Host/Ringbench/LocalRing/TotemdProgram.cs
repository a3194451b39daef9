namespace Totem.Host.Ringbench.LocalRing;

/// <summary>
/// Which totemd a local ring runs, and how to start it: the publish a Release build of ringbench puts
/// in totemd-publish/ (NativeAOT where clang is installed, else ReadyToRun; see Totemd.csproj), else the
/// plain JIT build beside ringbench.dll (the test runs). <see cref="OverrideVariable"/> names another one:
/// .ci/run runs the multi-process tests once more on the native program that way.
/// </summary>
public sealed record TotemdProgram(string Kind, string Executable, IReadOnlyList<string> LeadingArguments)
{
    public const string NativeAot = "NativeAOT";
    public const string ReadyToRun = "ReadyToRun";
    public const string Jit = "JIT";

    /// <summary>The folder, beside ringbench.dll, that Ringbench.csproj publishes totemd into (emptied first).</summary>
    public const string PublishFolder = "totemd-publish";

    /// <summary>A totemd to run instead: a native program, or a totemd.dll (run with the dotnet host).</summary>
    public const string OverrideVariable = "TOTEM_TOTEMD";

    public static TotemdProgram Find(string baseDirectory, string dotnetHost)
    {
        if (Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } chosen)
        {
            if (!File.Exists(chosen)) throw new FileNotFoundException($"{OverrideVariable}={chosen}: no such file", chosen);
            return chosen.EndsWith(".dll", StringComparison.Ordinal)
                ? new($"{OverrideVariable} (dotnet)", dotnetHost, [Path.GetFullPath(chosen)])
                : new(NativeAot, Path.GetFullPath(chosen), []);
        }
        var published = Path.Combine(baseDirectory, PublishFolder);
        // A ReadyToRun publish has totemd.dll (and an apphost beside it); a native one only the program.
        if (File.Exists(Path.Combine(published, "totemd.dll"))) return new(ReadyToRun, dotnetHost, [Path.Combine(published, "totemd.dll")]);
        if (File.Exists(Path.Combine(published, "totemd"))) return new(NativeAot, Path.Combine(published, "totemd"), []);
        var plain = Path.Combine(baseDirectory, "totemd.dll");
        if (!File.Exists(plain))
            throw new FileNotFoundException($"totemd.dll is not next to {baseDirectory}; build the project that references src/Host/Totemd", plain);
        return new(Jit, dotnetHost, [plain]);
    }
}
