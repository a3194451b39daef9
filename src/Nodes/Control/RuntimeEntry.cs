namespace Totem.Nodes.Control;

/// <summary>cmap value types, named as corosync-cmapctl prints them.</summary>
public enum RuntimeValueType { U8, U16, U32, U64, S32, S64, Flt, Dbl, Str }

/// <summary>One cmap key, printed by totemctl as `key (type) = value`. Value is invariant-culture text.</summary>
public sealed record RuntimeEntry(string Key, RuntimeValueType Type, string Value)
{
    public static RuntimeEntry U32(string key, uint value) => new(key, RuntimeValueType.U32, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    public static RuntimeEntry U64(string key, ulong value) => new(key, RuntimeValueType.U64, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    public static RuntimeEntry U8(string key, byte value) => new(key, RuntimeValueType.U8, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    public static RuntimeEntry Str(string key, string value) => new(key, RuntimeValueType.Str, value);
}
