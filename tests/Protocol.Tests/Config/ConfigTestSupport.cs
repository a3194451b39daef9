using Totem.Protocol.Config;

namespace Totem.Protocol.Tests.Config;

internal static class ConfigTestSupport
{
    public static readonly Func<string, string?> NoEnvironment = _ => null;

    public static Func<string, string?> Environment(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return name => map.TryGetValue(name, out var value) ? value : null;
    }

    public static ConfigLoadResult Load(string text, Func<string, string?>? environment = null) =>
        ClusterConfigParser.Parse(text, "test.conf", environment ?? NoEnvironment);

    public static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Config", "Fixtures", name));

    /// <summary>The repository root (where cluster.sln is), found from the test binaries' folder.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "cluster.sln")))
                return dir.FullName;
        throw new InvalidOperationException("cluster.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A minimal valid config (udpu, explicit nodeids) with extra totem lines.</summary>
    public static string Minimal(string totemExtra = "", int nodes = 2, string extraSections = "")
    {
        var nodelist = string.Concat(Enumerable.Range(1, nodes).Select(i =>
            $"  node {{\n    nodeid: {i}\n    ring0_addr: 10.0.0.{i}\n  }}\n"));
        return $"totem {{\n  version: 2\n  transport: udpu\n{totemExtra}}}\nnodelist {{\n{nodelist}}}\n{extraSections}";
    }

    public static string Errors(ConfigLoadResult result) => string.Join("\n", result.Errors);
}
