using Akka.Configuration;

namespace Totem.Nodes;

/// <summary>The node's Akka.NET settings: the embedded reference.conf, and the simulator's overrides.</summary>
public static class NodeConfig
{
    /// <summary>The node's defaults (embedded reference.conf); Akka's own defaults lie under them.</summary>
    public static Config Reference { get; } = Load("Totem.Nodes.reference.conf");

    /// <summary>The simulated dispatcher and virtual-time scheduler (Simulator/simulation.conf).</summary>
    public static Config Simulation { get; } = Load("Totem.Nodes.Simulator.simulation.conf");

    private static Config Load(string resource)
    {
        using var stream = typeof(NodeConfig).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource {resource} is missing");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
