using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Totem.Protocol.Store;

/// <summary>
/// A key's place in the store's tree, validated once: absolute, normalized ('/' separated, no empty, '.' or '..'
/// segment, no trailing '/'), printable, within <see cref="StoreLimits.MaxPathBytes"/> and
/// <see cref="StoreLimits.MaxSegmentBytes"/>. "/" is the root: it can be listed but holds no value. Parents are
/// implicit: "/a/b" exists as a directory while a key below it exists. Paths order ordinally, so a directory's
/// keys are contiguous.
/// </summary>
public sealed class StorePath : IEquatable<StorePath>, IComparable<StorePath>
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private StorePath(string value) => Value = value;

    public static StorePath Root { get; } = new("/");

    // A search key for the ordered set of keys (a prefix such as "/a/"), never handed out.
    internal static StorePath Probe(string value) => new(value);

    public string Value { get; }

    public bool IsRoot => Value.Length == 1;

    /// <summary>The directory holding this path; the root's parent is the root.</summary>
    public StorePath Parent
    {
        get
        {
            var slash = Value.LastIndexOf('/');
            return IsRoot ? this : slash == 0 ? Root : new StorePath(Value[..slash]);
        }
    }

    /// <summary>The last segment ("" for the root).</summary>
    public string Name => Value[(Value.LastIndexOf('/') + 1)..];

    /// <summary>What a key below this directory starts with ("/" for the root, "/a/" for "/a").</summary>
    public string ChildPrefix => IsRoot ? "/" : Value + "/";

    public bool IsAncestorOf(StorePath other) => other.Value.Length > Value.Length && other.Value.StartsWith(ChildPrefix, StringComparison.Ordinal);

    /// <summary>Parses <paramref name="text"/>; throws <see cref="ArgumentException"/> naming what is wrong and where.</summary>
    public static StorePath Parse(string text) =>
        TryParse(text, out var path, out var error) ? path : throw new ArgumentException(error, nameof(text));

    public static bool TryParse(string? text, [NotNullWhen(true)] out StorePath? path, [NotNullWhen(false)] out string? error)
    {
        path = null;
        error = Problem(text);
        if (error is not null)
        {
            error = $"store path '{Shown(text ?? "")}' {error}";
            return false;
        }
        path = new StorePath(text!);
        return true;
    }

    private static string? Problem(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "is empty: a path starts with '/'";
        if (text[0] != '/') return "is not absolute: a path starts with '/'";
        for (var i = 0; i < text.Length; i++)
            if (char.IsControl(text[i]))
                return $"has a control character (U+{(int)text[i]:X4}) at offset {i}";
        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            return "is not valid Unicode (an unpaired surrogate)";
        }
        if (bytes > StoreLimits.MaxPathBytes) return $"is {bytes} bytes in UTF-8, the limit is {StoreLimits.MaxPathBytes}";
        if (text.Length == 1) return null;
        var start = 1;
        while (start <= text.Length)
        {
            var end = text.IndexOf('/', start);
            if (end < 0) end = text.Length;
            var segment = text[start..end];
            if (segment.Length == 0)
                return end == text.Length ? "ends with '/': only the root does" : $"has an empty segment at offset {start}";
            if (segment is "." or "..")
                return $"has a '{segment}' segment at offset {start}: paths are normalized";
            var segmentBytes = StrictUtf8.GetByteCount(segment);
            if (segmentBytes > StoreLimits.MaxSegmentBytes)
                return $"has a segment of {segmentBytes} bytes at offset {start}, the limit is {StoreLimits.MaxSegmentBytes}";
            start = end + 1;
        }
        return null;
    }

    // Error texts quote the path readably: control characters escaped, a long path cut.
    private static string Shown(string text)
    {
        var shown = new StringBuilder();
        foreach (var c in text.Length > 80 ? text[..80] : text)
            shown.Append(char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString(CultureInfo.InvariantCulture));
        if (text.Length > 80) shown.Append("...");
        return shown.ToString();
    }

    public bool Equals(StorePath? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);
    public override bool Equals(object? obj) => Equals(obj as StorePath);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);
    public int CompareTo(StorePath? other) => other is null ? 1 : string.CompareOrdinal(Value, other.Value);
    public static bool operator ==(StorePath? a, StorePath? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(StorePath? a, StorePath? b) => !(a == b);
    public override string ToString() => Value;
}
