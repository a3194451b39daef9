using System.Runtime.CompilerServices;

namespace Totem.Protocol.Srp;

/// <summary>
/// The text of an engine invariant, formatted only when the invariant does not hold: the engines check their invariants
/// after every input, and formatting each message up front (the seqs in hex, the ring ids) allocated and formatted
/// strings on every step of every node that nobody reads.
/// </summary>
[InterpolatedStringHandler]
internal ref struct InvariantText
{
    private DefaultInterpolatedStringHandler _text;

    public InvariantText(int literalLength, int formattedCount, bool holds, out bool shouldAppend)
    {
        shouldAppend = !holds;
        _text = holds ? default : new DefaultInterpolatedStringHandler(literalLength, formattedCount);
    }

    public void AppendLiteral(string value) => _text.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => _text.AppendFormatted(value, format);

    public string ToStringAndClear() => _text.ToStringAndClear();
}
