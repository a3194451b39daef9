namespace Totem.Host.Ringbench.LocalRing;

/// <summary>
/// Which totemd a local ring runs, and how to start it: the publish a Release build of ringbench puts
/// in totemd-publish/ (NativeAOT where clang is installed, else ReadyToRun; see Totemd.csproj), else the
/// plain JIT build beside ringbench.dll (the test runs).
/// </summary>
public sealed record TotemdProgram(string Kind, string Executable, IReadOnlyList<string> LeadingArguments)
{
    public const string NativeAot = "NativeAOT";
    public const string ReadyToRun = "ReadyToRun";
    public const string Jit = "JIT";

    /// <summary>The folder, beside ringbench.dll, that Ringbench.csproj publishes totemd into (emptied first).</summary>
    public const string PublishFolder = "totemd-publish";

    public static TotemdProgram Find(string baseDirectory, string dotnetHost)
    {
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
