using System.Globalization;
using System.Text.RegularExpressions;

namespace Totem.Protocol.Whatif;

/// <summary>
/// Reads a what-if network profile, one statement a line ('#' starts a comment):
/// <code>
/// latency 0.2ms                      # one-way, fixed part
/// jitter normal 0.05ms 0.02ms        # added per datagram: normal(mean, sd), cut at 0
/// jitter uniform 0ms 40ms          # or uniform in [min, max] (what `totemctl fault delay --jitter` injects)
/// jitter samples fping.txt           # or measured round trips (fping -C / -c output, or one number in ms a line): half of each is a one-way delay
/// jitter burst 5ms for 2s every 1m   # for 2 s, up to 5 ms more on every link (uniform), about once a minute; 'on one|all|node N' as stall (default all)
/// loss 0.1%                          # of datagrams
/// stall 400ms every 10m on one       # a node frozen 400 ms, about every 10 minutes, a random one each time
/// stall 2s once a day on all         # every node frozen together
/// stall 1s every 6h on node 3
/// </code>
/// Durations take us, ms, s, m (or min), h, d. Every problem is reported with its line and the line is skipped; the
/// rest is read. Pure: sample files come through <c>readSamples</c> (path as written, answers text or why not).
/// </summary>
public static partial class NetworkProfileParser
{
    public sealed record Result(NetworkProfile Profile, IReadOnlyList<ProfileDiagnostic> Diagnostics)
    {
        public bool IsValid => Diagnostics.Count == 0;
    }

    public delegate bool SampleReader(string path, out string text, out string problem);

    public static Result Parse(string text, string source, SampleReader readSamples)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(readSamples);
        var problems = new List<ProfileDiagnostic>();
        TimeSpan? latency = null;
        DelayJitter? jitter = null;
        double? loss = null;
        var stalls = new List<StallEvent>();
        var bursts = new List<JitterBurst>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var words = (hash < 0 ? raw : raw[..hash]).Split((char[])[' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            void Problem(string why) => problems.Add(new(source, number, why));
            bool Once(object? seen, string key)
            {
                if (seen is null) return true;
                Problem($"'{key}' is given twice; the first one stands");
                return false;
            }

            switch (words[0].ToLowerInvariant())
            {
                case "latency":
                    if (words.Length != 2) Problem("'latency' takes one duration, e.g. latency 0.2ms");
                    else if (!TryDuration(words[1], out var l, out var why)) Problem($"latency: {why}");
                    else if (Once(latency, "latency")) latency = l;
                    break;
                case "jitter" when words.Length > 1 && words[1].Equals("burst", StringComparison.OrdinalIgnoreCase):
                    if (ParseBurst(words, number, Problem) is { } b) bursts.Add(b);
                    break;
                case "jitter":
                    if (ParseJitter(words, readSamples, Problem) is { } j && Once(jitter, "jitter")) jitter = j;
                    break;
                case "loss":
                    if (words.Length != 2) Problem("'loss' takes one percentage, e.g. loss 0.1%");
                    else if (!TryPercent(words[1], out var p)) Problem($"loss: '{words[1]}' is not a percentage from 0% to 100%");
                    else if (Once(loss, "loss")) loss = p / 100.0;
                    break;
                case "stall":
                    if (ParseStall(words, number, Problem) is { } s) stalls.Add(s);
                    break;
                default:
                    Problem($"unknown statement '{words[0]}': expected latency, jitter, loss or stall");
                    break;
            }
        }
        if (jitter is DelayJitter.Sampled && latency is not null)
            problems.Add(new(source, 0, "latency and 'jitter samples' both give the delay: measured samples already hold the latency; drop one"));
        return new(new NetworkProfile(latency ?? TimeSpan.Zero, jitter ?? DelayJitter.None, loss ?? 0, stalls) { Bursts = bursts }, problems);
    }

    private static DelayJitter? ParseJitter(string[] w, SampleReader readSamples, Action<string> problem)
    {
        if (w.Length == 4 && w[1].Equals("normal", StringComparison.OrdinalIgnoreCase))
        {
            if (!TryDuration(w[2], out var mean, out var why)) problem($"jitter normal: mean: {why}");
            else if (!TryDuration(w[3], out var sd, out why)) problem($"jitter normal: standard deviation: {why}");
            else return new DelayJitter.Normal(mean.TotalMilliseconds, sd.TotalMilliseconds);
            return null;
        }
        if (w.Length == 4 && w[1].Equals("uniform", StringComparison.OrdinalIgnoreCase))
        {
            if (!TryDuration(w[2], out var min, out var why)) problem($"jitter uniform: minimum: {why}");
            else if (!TryDuration(w[3], out var max, out why)) problem($"jitter uniform: maximum: {why}");
            else if (max < min) problem($"jitter uniform: the maximum {w[3]} is below the minimum {w[2]}");
            else return new DelayJitter.Uniform(min.TotalMilliseconds, max.TotalMilliseconds);
            return null;
        }
        if (w.Length == 3 && w[1].Equals("samples", StringComparison.OrdinalIgnoreCase))
        {
            if (!readSamples(w[2], out var text, out var unreadable))
            {
                problem($"jitter samples: {w[2]}: {unreadable}");
                return null;
            }
            var (samples, bad) = RoundTripSamples(text);
            if (bad is not null) problem($"jitter samples: {w[2]}:{bad}");
            else if (samples.Count == 0) problem($"jitter samples: {w[2]} holds no round-trip time");
            else return new DelayJitter.Sampled(samples.Select(rtt => rtt / 2).ToArray());
            return null;
        }
        problem("'jitter' is 'jitter normal MEAN SD' (e.g. jitter normal 0.05ms 0.02ms), 'jitter uniform MIN MAX' (e.g. jitter uniform 0ms 40ms), 'jitter samples FILE' (fping output) or 'jitter burst EXTRA for LENGTH every PERIOD'");
        return null;
    }

    private static StallEvent? ParseStall(string[] w, int line, Action<string> problem)
    {
        const string form = "'stall' is 'stall DURATION every PERIOD on one|all|node N' (or 'once a day' / 'once an hour' for every PERIOD)";
        if (w.Length < 5)
        {
            problem(form);
            return null;
        }
        if (!TryDuration(w[1], out var duration, out var why))
        {
            problem($"stall: {why}");
            return null;
        }
        if (!TryPeriod(w, 2, out var period, out var next, out why))
        {
            problem(why.Length == 0 ? form : $"stall: {why}");
            return null;
        }
        if (period <= TimeSpan.Zero || duration <= TimeSpan.Zero)
        {
            problem("stall: the duration and the period must be above zero");
            return null;
        }
        if (!TryScope(w[next..], required: true, out var scope, out var node))
        {
            problem(form);
            return null;
        }
        return new StallEvent(duration, period, scope, node, line);
    }

    private static JitterBurst? ParseBurst(string[] w, int line, Action<string> problem)
    {
        const string form = "'jitter burst' is 'jitter burst EXTRA for LENGTH every PERIOD [on one|all|node N]' (e.g. jitter burst 5ms for 2s every 1m)";
        if (w.Length < 7 || !w[3].Equals("for", StringComparison.OrdinalIgnoreCase))
        {
            problem(form);
            return null;
        }
        if (!TryDuration(w[2], out var amplitude, out var why))
        {
            problem($"jitter burst: {why}");
            return null;
        }
        if (!TryDuration(w[4], out var length, out why))
        {
            problem($"jitter burst: for: {why}");
            return null;
        }
        if (!TryPeriod(w, 5, out var period, out var next, out why))
        {
            problem(why.Length == 0 ? form : $"jitter burst: {why}");
            return null;
        }
        if (amplitude <= TimeSpan.Zero || length <= TimeSpan.Zero || period <= TimeSpan.Zero)
        {
            problem("jitter burst: the extra delay, the length and the period must be above zero");
            return null;
        }
        if (!TryScope(w[next..], required: false, out var scope, out var node))
        {
            problem(form);
            return null;
        }
        return new JitterBurst(amplitude, length, period, scope, node, line);
    }

    /// <summary>"every PERIOD" or "once a day|an hour|a minute|a week" at <paramref name="at"/>; <paramref name="next"/> is the word after it.</summary>
    private static bool TryPeriod(string[] w, int at, out TimeSpan period, out int next, out string problem)
    {
        period = TimeSpan.Zero;
        next = at;
        problem = "";
        if (w.Length > at + 1 && w[at].Equals("every", StringComparison.OrdinalIgnoreCase))
        {
            if (!TryDuration(w[at + 1], out period, out var why))
            {
                problem = $"every: {why}";
                return false;
            }
            next = at + 2;
            return true;
        }
        if (w.Length > at + 2 && w[at].Equals("once", StringComparison.OrdinalIgnoreCase) && w[at + 1] is "a" or "an"
            && (w[at + 2].ToLowerInvariant() is "day" or "hour" or "minute" or "week"))
        {
            period = w[at + 2].ToLowerInvariant() switch { "day" => TimeSpan.FromDays(1), "hour" => TimeSpan.FromHours(1), "week" => TimeSpan.FromDays(7), _ => TimeSpan.FromMinutes(1) };
            next = at + 3;
            return true;
        }
        return false;
    }

    /// <summary>"on one", "on all", "on node N"; nothing at all means all when the scope is not <paramref name="required"/>.</summary>
    private static bool TryScope(string[] rest, bool required, out StallScope scope, out uint? node)
    {
        scope = StallScope.AllNodes;
        node = null;
        if (rest.Length == 0) return !required;
        if (rest.Length == 2 && rest[0] == "on" && rest[1] is "one" or "all")
        {
            scope = rest[1] == "one" ? StallScope.OneNode : StallScope.AllNodes;
            return true;
        }
        if (rest.Length == 3 && rest[0] == "on" && rest[1] == "node" && uint.TryParse(rest[2], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            (scope, node) = (StallScope.GivenNode, n);
            return true;
        }
        return false;
    }

    /// <summary>A duration with its unit: 0.2ms, 400ms, 2s, 10m, 10min, 6h, 1d, 50us.</summary>
    public static bool TryDuration(string text, out TimeSpan value, out string problem)
    {
        value = TimeSpan.Zero;
        problem = "";
        var m = DurationPattern().Match(text);
        if (!m.Success || !double.TryParse(m.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
        {
            problem = $"'{text}' is not a duration with a unit (us, ms, s, m, h, d), e.g. 400ms";
            return false;
        }
        var ms = m.Groups["unit"].Value.ToLowerInvariant() switch
        {
            "us" => n / 1000,
            "ms" => n,
            "s" => n * 1000,
            "m" or "min" => n * 60_000,
            "h" => n * 3_600_000,
            _ => n * 86_400_000,
        };
        value = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    private static bool TryPercent(string text, out double percent) =>
        double.TryParse(text.TrimEnd('%'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out percent)
        && text.EndsWith('%') && percent is >= 0 and <= 100;

    /// <summary>
    /// Round trips in ms from fping's output: "-C" lines "host : 0.41 0.39 - 0.52" ('-' is a lost probe), "-c"/"-l"
    /// lines "host : [3], 64 bytes, 0.41 ms (0.40 avg, 0% loss)", or one bare number a line; fping's summary lines
    /// ("xmt/rcv/%loss") are not samples. The problem names the line.
    /// </summary>
    public static (IReadOnlyList<double> RoundTripsMs, string? Problem) RoundTripSamples(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new List<double>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.Contains("xmt/rcv", StringComparison.Ordinal)) continue;
            Match m;
            if ((m = FpingCount().Match(line)).Success)
                samples.Add(double.Parse(m.Groups["rtt"].Value, CultureInfo.InvariantCulture));
            else if ((m = FpingColumns().Match(line)).Success)
            {
                foreach (var v in m.Groups["values"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    if (v != "-") samples.Add(double.Parse(v, CultureInfo.InvariantCulture));
            }
            else if (double.TryParse(line, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var bare))
                samples.Add(bare);
            else
                return (samples, $"{number}: '{line}' is not an fping result nor a round-trip time in ms");
        }
        return (samples, null);
    }

    [GeneratedRegex(@"^(?<n>\d+(?:\.\d+)?)(?<unit>us|ms|s|m|min|h|d)$", RegexOptions.IgnoreCase)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^\S+\s+: \[\d+\], \d+ bytes, (?<rtt>\d+(?:\.\d+)?) ms")]
    private static partial Regex FpingCount();

    [GeneratedRegex(@"^\S+\s+:(?<values>(?: (?:\d+(?:\.\d+)?|-))+)$")]
    private static partial Regex FpingColumns();
}
