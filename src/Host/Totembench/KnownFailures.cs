using Totem.Nodes.Simulator.Scenarios;

namespace Totem.Host.Totembench;

/// <summary>
/// Seeds that are known to fail, each with the reason it is still open (a file of
/// <c>scenario seed reason...</c> lines, <c>#</c> comments). A soak given this list still runs and reports them,
/// but only a failure that is NOT on the list fails the soak: CI then stays red for every new regression while a
/// failure already analysed and filed does not hide the rest. A listed seed that passes is reported so that it is
/// taken off the list.
/// </summary>
public sealed class KnownFailures
{
    private readonly Dictionary<(ScenarioKind Kind, int Seed), string> _reasons = new();

    public static KnownFailures None { get; } = new();

    public int Count => _reasons.Count;

    public bool TryGetReason(ScenarioKind kind, int seed, out string reason) =>
        _reasons.TryGetValue((kind, seed), out reason!);

    /// <summary>Reads the list; a line that is not "scenario seed reason" is an error naming file and line.</summary>
    public static KnownFailures Load(string path)
    {
        var known = new KnownFailures();
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{path}: cannot read the known failures: {e.Message}");
        }
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3)
                throw new FormatException($"{path}:{i + 1}: expected 'scenario seed reason', got '{line}'");
            if (!RandomScenarios.TryParse(parts[0], out var kind))
                throw new FormatException($"{path}:{i + 1}: unknown scenario '{parts[0]}'; expected {RandomScenarios.NameList()}");
            if (!int.TryParse(parts[1], out var seed))
                throw new FormatException($"{path}:{i + 1}: seed '{parts[1]}' is not a number");
            if (!known._reasons.TryAdd((kind, seed), parts[2]))
                throw new FormatException($"{path}:{i + 1}: {parts[0]} seed {seed} is listed twice");
        }
        return known;
    }
}
