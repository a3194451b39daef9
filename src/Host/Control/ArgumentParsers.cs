using System.Globalization;

namespace Totem.Host.Control;

/// <summary>
/// Parsing of the units operators type for a fault: durations ("20ms", "1.5s", "20") and percentages ("10%", "0.5"). One
/// reader for totemctl's arguments and the dashboard's fault buttons.
/// </summary>
public static class ArgumentParsers
{
    /// <summary>Milliseconds from "20ms", "20", "1.5s"; null with <paramref name="error"/> set when the text is not a duration.</summary>
    public static uint? Milliseconds(string text, out string? error)
    {
        error = null;
        var t = text.Trim().ToLowerInvariant();
        double factor = 1;
        if (t.EndsWith("ms", StringComparison.Ordinal)) t = t[..^2];
        else if (t.EndsWith('s'))
        {
            t = t[..^1];
            factor = 1000;
        }
        if (double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            var ms = Math.Round(value * factor);
            if (ms <= uint.MaxValue) return (uint)ms;
        }
        error = $"'{text}' is not a duration: use e.g. 20ms, 1.5s or 20 (milliseconds)";
        return null;
    }

    /// <summary>Percent from "10%", "10", "0.5%"; must be within 0..100.</summary>
    public static double? Percent(string text, out string? error)
    {
        error = null;
        var t = text.Trim().TrimEnd('%');
        if (double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 100)
            return value;
        error = $"'{text}' is not a percentage between 0 and 100: use e.g. 10%";
        return null;
    }
}
