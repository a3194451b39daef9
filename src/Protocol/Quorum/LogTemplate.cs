using System.Globalization;

namespace Totem.Protocol.Quorum;

/// <summary>Fills a structured log template's holes in order, for tests and plain sinks (Serilog renders templates itself).</summary>
public static class LogTemplate
{
    public static string Render(string template, IReadOnlyList<object?> args)
    {
        var text = new System.Text.StringBuilder();
        var next = 0;
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf('{', position);
            var close = open < 0 ? -1 : template.IndexOf('}', open);
            if (close < 0 || next >= args.Count)
            {
                text.Append(template, position, template.Length - position);
                break;
            }
            text.Append(template, position, open - position);
            text.Append(Convert.ToString(args[next++], CultureInfo.InvariantCulture));
            position = close + 1;
        }
        return text.ToString();
    }
}
