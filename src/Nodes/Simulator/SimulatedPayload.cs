using System.Text;
using Totem.Nodes.Services;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator;

/// <summary>
/// The simulator's application messages: a unique name, then (for a larger message) '#' and the name repeated up
/// to the size. The checker knows a message by its name; a delivery whose padding is not the name's marks itself as
/// corrupted, so a reassembly that mixes up or loses bytes shows as a wrong message, not as the right one.
/// </summary>
public static class SimulatedPayload
{
    private const byte Separator = (byte)'#';
    private const string Corrupted = " (corrupted)";

    public static byte[] Make(string name, int size)
    {
        var head = Encoding.UTF8.GetBytes(name);
        if (size <= head.Length + 1) return head;
        var body = new byte[size];
        head.CopyTo(body, 0);
        body[head.Length] = Separator;
        for (var i = head.Length + 1; i < size; i++) body[i] = head[(i - head.Length - 1) % head.Length];
        return body;
    }

    /// <summary>The name of a submitted or delivered payload (the node's service byte in front).</summary>
    public static string Name(ValueList<byte> payload)
    {
        var items = payload.Items.AsSpan();
        var body = items.Length >= ServiceFrame.HeaderBytes ? items[ServiceFrame.HeaderBytes..] : items;
        var end = body.IndexOf(Separator);
        if (end < 0) return Encoding.UTF8.GetString(body);
        var head = body[..end];
        var padding = body[(end + 1)..];
        return IsRepeated(head, padding) ? Encoding.UTF8.GetString(head) : Encoding.UTF8.GetString(head) + Corrupted;
    }

    /// <summary>
    /// Whether <paramref name="padding"/> is <paramref name="head"/> repeated (the last copy cut short). The checker names
    /// every delivery of every node, so this runs over every delivered byte of a soak: two vectorized comparisons (the
    /// first copy against the head, then the padding against itself shifted by one copy, which holds exactly when it
    /// repeats with the head's length as its period) instead of a modulo per byte.
    /// </summary>
    private static bool IsRepeated(ReadOnlySpan<byte> head, ReadOnlySpan<byte> padding)
    {
        if (padding.IsEmpty) return true;
        if (head.IsEmpty) return false;
        if (padding.Length <= head.Length) return padding.SequenceEqual(head[..padding.Length]);
        return padding[..head.Length].SequenceEqual(head) && padding[head.Length..].SequenceEqual(padding[..^head.Length]);
    }
}
