using System.Globalization;

namespace Totem.Protocol.Config;

/// <summary>One cmap key as corosync-cmapctl prints it: <c>runtime.config.totem.token (u32) = 4300</c>.</summary>
public sealed record CmapEntry(string Key, string Type, string Value)
{
    public static CmapEntry U32(string key, uint value) => new(key, "u32", value.ToString(CultureInfo.InvariantCulture));

    public static CmapEntry U64(string key, ulong value) => new(key, "u64", value.ToString(CultureInfo.InvariantCulture));

    public static CmapEntry U8(string key, bool value) => new(key, "u8", value ? "1" : "0");

    public static CmapEntry Str(string key, string value) => new(key, "str", value);

    public override string ToString() => $"{Key} ({Type}) = {Value}";
}
