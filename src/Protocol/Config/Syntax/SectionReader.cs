using System.Globalization;

namespace Totem.Protocol.Config.Syntax;

/// <summary>
/// Typed access to the keys of one section (or of several same-named sections merged, as corosync
/// merges a repeated <c>totem { }</c> into one cmap prefix). Records every key it hands out, so what
/// is left afterwards is unknown and gets a warning. A key set twice keeps the last value, as in
/// corosync and HOCON, with a warning naming both lines.
/// </summary>
internal sealed class SectionReader
{
    private readonly string _path;
    private readonly Dictionary<string, ConfigValue> _values = new(StringComparer.Ordinal);
    private readonly List<ConfigSection> _sections = new();
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);
    private readonly List<ConfigDiagnostic> _diagnostics;
    private readonly Dictionary<string, SourcePosition> _positions;

    public SourcePosition Position { get; }

    public SectionReader(string path, SourcePosition position, IEnumerable<ConfigSection> sections,
        List<ConfigDiagnostic> diagnostics, Dictionary<string, SourcePosition> positions)
    {
        _path = path;
        Position = position;
        _diagnostics = diagnostics;
        _positions = positions;
        foreach (var entry in sections.SelectMany(s => s.Entries))
        {
            switch (entry)
            {
                case ConfigValue v:
                    if (_values.TryGetValue(v.Name, out var earlier) && !v.FromEnvironment)
                        _diagnostics.Add(ConfigDiagnostic.Warning(v.Position,
                            $"key '{Qualified(v.Name)}' is set again (first at line {earlier.Position.Line}); the last value is used"));
                    _values[v.Name] = v;
                    break;
                case ConfigSection s:
                    _sections.Add(s);
                    break;
            }
        }
    }

    public string Qualified(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    public SourcePosition PositionOf(string key) => _values.TryGetValue(key, out var v) ? v.Position : Position;

    public IReadOnlyList<ConfigSection> TakeSections(string name)
    {
        _consumed.Add("{" + name);
        return _sections.Where(s => s.Name == name).ToList();
    }

    /// <summary>The subsections named <paramref name="name"/>, left unconsumed: a later Unused or WarnUnknown still reports them.</summary>
    public IReadOnlyList<ConfigSection> PeekSections(string name) => _sections.Where(s => s.Name == name).ToList();

    private ConfigValue? Take(string key)
    {
        _consumed.Add(key);
        if (!_values.TryGetValue(key, out var value)) return null;
        _positions[Qualified(key)] = value.Position;
        return value;
    }

    private void TypeError(ConfigValue v, string expected) =>
        _diagnostics.Add(ConfigDiagnostic.Error(v.ValuePosition,
            $"value of key '{Qualified(v.Name)}' is expected to be {expected}, but \"{v.Value}\" was given"));

    public string? String(string key) => Take(key)?.Value;

    public uint? UInt32(string key, string unit = "") => (uint?)Unsigned(key, uint.MaxValue, unit);

    public ushort? UInt16(string key, string unit = "") => (ushort?)Unsigned(key, ushort.MaxValue, unit);

    public ulong? UInt64(string key) => Unsigned(key, ulong.MaxValue, "");

    private ulong? Unsigned(string key, ulong max, string unit)
    {
        var v = Take(key);
        if (v is null) return null;
        if (ulong.TryParse(v.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= max) return n;
        TypeError(v, $"an integer in range (0..{max}){unit}");
        return null;
    }

    /// <summary>corosync writes yes/no and on/off; votequorum reads 0/1; HOCON adds true/false.</summary>
    public bool? Bool(string key)
    {
        var v = Take(key);
        if (v is null) return null;
        switch (v.Value.ToLowerInvariant())
        {
            case "yes" or "on" or "true" or "1": return true;
            case "no" or "off" or "false" or "0": return false;
            default:
                TypeError(v, "a boolean (yes/no, on/off, true/false or 1/0)");
                return null;
        }
    }

    public T? Choice<T>(string key, IReadOnlyDictionary<string, T> choices) where T : struct
    {
        var v = Take(key);
        if (v is null) return null;
        if (choices.TryGetValue(v.Value, out var result)) return result;
        TypeError(v, "one of " + string.Join(", ", choices.Keys.Select(k => $"'{k}'")));
        return null;
    }

    public string? Word(string key, params string[] allowed)
    {
        var v = Take(key);
        if (v is null) return null;
        if (allowed.Contains(v.Value, StringComparer.Ordinal)) return v.Value;
        TypeError(v, "one of " + string.Join(", ", allowed.Select(k => $"'{k}'")));
        return null;
    }

    public void Error(string key, string message) => _diagnostics.Add(ConfigDiagnostic.Error(PositionOf(key), message));

    public void Warning(string key, string message) => _diagnostics.Add(ConfigDiagnostic.Warning(PositionOf(key), message));

    /// <summary>Keys corosync knows but this engine has no use for: consumed with a warning that says so.</summary>
    public void Unused(string why, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (_values.TryGetValue(key, out var v) && _consumed.Add(key))
                _diagnostics.Add(ConfigDiagnostic.Warning(v.Position, $"key '{Qualified(key)}' is not used by this engine ({why}); ignored"));
            foreach (var s in _sections.Where(s => s.Name == key))
            {
                _consumed.Add("{" + key);
                _diagnostics.Add(ConfigDiagnostic.Warning(s.Position, $"section '{Qualified(key)}' is not used by this engine ({why}); ignored"));
            }
        }
    }

    /// <summary>Warns about every key and subsection nobody asked for.</summary>
    public void WarnUnknown()
    {
        foreach (var v in _values.Values.Where(v => !_consumed.Contains(v.Name)).OrderBy(v => v.Position.Line))
            _diagnostics.Add(ConfigDiagnostic.Warning(v.Position, $"unknown key '{Qualified(v.Name)}'; ignored"));
        foreach (var s in _sections.Where(s => !_consumed.Contains("{" + s.Name)))
            _diagnostics.Add(ConfigDiagnostic.Warning(s.Position, $"unknown section '{Qualified(s.Name)}'; ignored"));
    }
}
