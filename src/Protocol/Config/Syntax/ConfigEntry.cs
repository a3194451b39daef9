namespace Totem.Protocol.Config.Syntax;

/// <summary>One item of a parsed configuration file: a <c>key: value</c> or a <c>name { ... }</c> section.</summary>
public abstract record ConfigEntry(string Name, SourcePosition Position);

/// <summary>
/// A <c>key: value</c> pair after environment substitution. <see cref="ValuePosition"/> points at
/// the value itself, so type errors can name the column of the bad text. <see cref="FromEnvironment"/>
/// marks a value that took text from an environment variable: HOCON's override idiom
/// (<c>token: 3000</c> then <c>token: ${?TOTEM_TOKEN}</c>) repeats a key on purpose.
/// </summary>
public sealed record ConfigValue(string Name, string Value, SourcePosition Position, SourcePosition ValuePosition, bool FromEnvironment = false)
    : ConfigEntry(Name, Position);

/// <summary>
/// A <c>name { ... }</c> block with its entries in file order. Repeated blocks (every
/// <c>node { }</c> in <c>nodelist</c>) stay separate entries of their parent, in order.
/// </summary>
public sealed record ConfigSection(string Name, SourcePosition Position, IReadOnlyList<ConfigEntry> Entries)
    : ConfigEntry(Name, Position)
{
    public IEnumerable<ConfigSection> Sections(string name) =>
        Entries.OfType<ConfigSection>().Where(s => s.Name == name);

    public IEnumerable<ConfigValue> Values => Entries.OfType<ConfigValue>();
}
