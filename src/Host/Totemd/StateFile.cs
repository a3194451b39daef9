using System.Globalization;

namespace Totem.Host.Totemd;

/// <summary>One number kept in a file of the node's state directory: read with an error naming the file, written atomically.</summary>
internal static class StateFile
{
    /// <summary>The kept number, null when there is no file yet.</summary>
    public static ulong? Read(string path, string what)
    {
        if (!File.Exists(path)) return null;
        var text = File.ReadAllText(path).Trim();
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw new InvalidDataException($"{path}: expected {what} (decimal digits), found '{text}'");
        return value;
    }

    /// <summary>Temp file + rename, so a crash never leaves a torn file.</summary>
    public static void Write(string path, ulong value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, value.ToString(CultureInfo.InvariantCulture));
        File.Move(temp, path, overwrite: true);
    }
}
