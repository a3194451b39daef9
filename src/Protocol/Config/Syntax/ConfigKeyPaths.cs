namespace Totem.Protocol.Config.Syntax;

/// <summary>
/// Every value of a parsed file under its cmap-style key, as coroparse stores a file in icmap: sections joined
/// with dots, repeated blocks numbered in file order (<c>nodelist.node.0.ring0_addr</c>,
/// <c>totem.interface.1.bindnetaddr</c>), any other repeated block merged (corosync merges a second
/// <c>totem { }</c>), a key set twice keeping its last value. A reload compares two files by these keys, as
/// cfg.c compares the new file's icmap with the running one.
/// </summary>
public static class ConfigKeyPaths
{
    /// <summary>The blocks corosync numbers rather than merges.</summary>
    private static readonly HashSet<string> Numbered = new(StringComparer.Ordinal) { "node", "interface" };

    public static IReadOnlyDictionary<string, ConfigValue> Flatten(ConfigSection root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var values = new SortedDictionary<string, ConfigValue>(StringComparer.Ordinal);
        Add(values, "", root);
        return values;
    }

    private static void Add(SortedDictionary<string, ConfigValue> values, string path, ConfigSection section)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in section.Entries)
        {
            var name = path.Length == 0 ? entry.Name : $"{path}.{entry.Name}";
            switch (entry)
            {
                case ConfigValue value:
                    values[name] = value;
                    break;
                case ConfigSection child when Numbered.Contains(child.Name):
                    var index = counts.GetValueOrDefault(child.Name);
                    counts[child.Name] = index + 1;
                    Add(values, $"{name}.{index}", child);
                    break;
                case ConfigSection child:
                    Add(values, name, child);
                    break;
            }
        }
    }
}
