using System.Globalization;

namespace Totem.Host.Ringbench.Corosync;

/// <summary>A line cpgbench.c writes on its stdout (the protocol is described at the top of that file).</summary>
public abstract record CpgLine;

/// <summary>"members N": the CPG group has N members (after every group change).</summary>
public sealed record CpgMembers(int Count) : CpgLine;

/// <summary>"expecting RUN": deliveries of the run are counted from now on.</summary>
public sealed record CpgExpecting(int Run) : CpgLine;

/// <summary>
/// "done RUN COUNT HASH ORDER_ERRORS STRAYS FIRST_NS LAST_NS": the node delivered COUNT messages of the run; HASH
/// digests their order (equal on every node when the order is one), ORDER_ERRORS counts deliveries out of their
/// sender's order, STRAYS messages of no run being counted; first and last delivery on CLOCK_MONOTONIC.
/// </summary>
public sealed record CpgDone(int Run, long Count, ulong OrderHash, long OrderErrors, long Strays, long FirstNs, long LastNs) : CpgLine;

/// <summary>"sent RUN COUNT TRY_AGAIN ELAPSED_NS": every message of the run was accepted by cpg_mcast_joined.</summary>
public sealed record CpgSent(int Run, long Count, long TryAgains, long ElapsedNs) : CpgLine;

/// <summary>"error TEXT": the client gave up (it exits 1).</summary>
public sealed record CpgError(string Text) : CpgLine;

/// <summary>One line of a latency file: a delivery of sender's message number, ns after it was multicast.</summary>
public readonly record struct CpgLatency(int Sender, long Number, long Nanoseconds);

/// <summary>Parses cpgbench.c's output; a line of another form is a <see cref="FormatException"/> that quotes it.</summary>
public static class CpgBenchLines
{
    public static CpgLine Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) throw Bad(line, "an empty line");
        return words[0] switch
        {
            "members" when words.Length == 2 => new CpgMembers((int)Number(line, words[1], "the member count")),
            "expecting" when words.Length == 2 => new CpgExpecting((int)Number(line, words[1], "the run")),
            "done" when words.Length == 8 => new CpgDone((int)Number(line, words[1], "the run"), Number(line, words[2], "the count"),
                Hash(line, words[3]), Number(line, words[4], "the order errors"), Number(line, words[5], "the strays"),
                Number(line, words[6], "the first delivery time"), Number(line, words[7], "the last delivery time")),
            "sent" when words.Length == 5 => new CpgSent((int)Number(line, words[1], "the run"), Number(line, words[2], "the count"),
                Number(line, words[3], "the TRY_AGAIN count"), Number(line, words[4], "the elapsed time")),
            "error" => new CpgError(line.Length > "error ".Length ? line["error ".Length..] : ""),
            "members" or "expecting" or "done" or "sent" => throw Bad(line, $"'{words[0]}' with {words.Length - 1} field(s)"),
            _ => throw Bad(line, $"an unknown line '{words[0]}'"),
        };
    }

    /// <summary>"sender number latency_ns", one line of a latency file.</summary>
    public static CpgLatency ParseLatency(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 3) throw Bad(line, $"a latency line of {words.Length} field(s), not 3");
        return new CpgLatency((int)Number(line, words[0], "the sender"), Number(line, words[1], "the number"), Number(line, words[2], "the latency"));
    }

    private static long Number(string line, string word, string what) =>
        long.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw Bad(line, $"{what} '{word}' is not a number");

    private static ulong Hash(string line, string word) =>
        word.Length == 16 && ulong.TryParse(word, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Bad(line, $"the order hash '{word}' is not 16 hex digits");

    private static FormatException Bad(string line, string why) => new($"cpgbench printed {why}: '{line}'");
}
