using System.Globalization;
using System.Net;
using Akka.Configuration;
using Totem.Host.Control;
using Totem.Nodes;
using Totem.Protocol.Config;

namespace Totem.Host.Totemd.Settings;

/// <summary>What loading totemd's HOCON gave: the settings, the merged Akka config (for the node's ActorSystem), the diagnostics.</summary>
public sealed record TotemdHoconResult(TotemdSettings? Settings, Config? Config, IReadOnlyList<ConfigDiagnostic> Diagnostics)
{
    public bool IsValid => Settings is not null && Diagnostics.All(d => !d.IsError);
}

/// <summary>
/// Reads totemd's HOCON the Akka way: the embedded reference.conf is the fallback of the
/// --akka-config file (Akka.Configuration's WithFallback), then every key under <c>totemd</c> is
/// type-checked so that a wrong value stops the daemon with file, line and key, as a corosync.conf
/// error does, instead of Akka's silent 0 or empty string.
/// </summary>
public static class TotemdHocon
{
    public const string ReferenceName = "reference.conf";

    private static readonly Lazy<(string Text, HoconSyntax.Result Syntax)> ReferenceText = new(() =>
    {
        using var stream = typeof(TotemdHocon).Assembly.GetManifestResourceStream("Totem.Host.Totemd.reference.conf")
            ?? throw new InvalidOperationException("totemd.dll has no embedded reference.conf");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        return (text, HoconSyntax.Check(text, ReferenceName));
    });

    /// <summary>The embedded defaults, as text (totemd --print-config style tools and tests read it).</summary>
    public static string Reference => ReferenceText.Value.Text;

    /// <summary>Reads <paramref name="path"/> (null: the embedded defaults only).</summary>
    public static TotemdHoconResult Load(string? path)
    {
        if (path is null) return Parse(null, ReferenceName);
        return ConfigFile.TryReadText(path, out var text, out var reason) ? Parse(text, path) : Refused(path, reason);
    }

    /// <summary>Parses <paramref name="text"/> over the embedded defaults; pure but for the environment Akka's ${VAR} reads.</summary>
    public static TotemdHoconResult Parse(string? text, string fileName)
    {
        var reference = ReferenceText.Value;
        if (!reference.Syntax.IsValid) return new TotemdHoconResult(null, null, reference.Syntax.Diagnostics);
        var diagnostics = new List<ConfigDiagnostic>();
        var filePositions = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(reference.Text);
            if (text is not null)
            {
                var syntax = HoconSyntax.Check(text, fileName);
                diagnostics.AddRange(syntax.Diagnostics);
                if (!syntax.IsValid) return new TotemdHoconResult(null, null, diagnostics);
                foreach (var (key, at) in syntax.Positions) filePositions[key] = at;
                // An empty file (only comments) is a valid override of nothing; Akka's reader refuses it.
                if (syntax.Positions.Count > 0) config = ConfigurationFactory.ParseString(text).WithFallback(config);
            }
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or ArgumentException or InvalidOperationException or NullReferenceException)
        {
            // What Akka's reader still refuses after the structural check (an unresolved ${VAR}, mostly): it names no line.
            diagnostics.Add(ConfigDiagnostic.Error(SourcePosition.WholeFile(fileName), $"Akka's HOCON reader refused the file: {e.Message}"));
            return new TotemdHoconResult(null, null, diagnostics);
        }

        var reader = new Reader(config, fileName, filePositions, reference.Syntax.Positions, diagnostics);
        var settings = reader.Read();
        foreach (var key in filePositions.Keys.Where(k => k.StartsWith(TotemdSettings.Root + ".", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            if (!reference.Syntax.Positions.ContainsKey(key))
                diagnostics.Add(ConfigDiagnostic.Warning(filePositions[key], $"unknown key '{key}' is ignored (totemd's keys are listed in its reference.conf)"));
        }
        return diagnostics.Any(d => d.IsError) ? new TotemdHoconResult(null, null, diagnostics) : new TotemdHoconResult(settings, config, diagnostics);
    }

    /// <summary>
    /// HOCON's duration format (number, optional space, unit of the HOCON spec; no unit = ms as Akka
    /// reads it). Our own because Akka's Config.GetTimeSpan costs over 100 ms on its first call, on
    /// the start-up path.
    /// </summary>
    public static TimeSpan? ParseDuration(string text)
    {
        var t = text.Trim();
        var split = 0;
        while (split < t.Length && (char.IsAsciiDigit(t[split]) || t[split] == '.')) split++;
        if (split == 0 || !double.TryParse(t.AsSpan(0, split), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return null;
        double? ms = t[split..].Trim() switch
        {
            "" or "ms" or "milli" or "millis" or "millisecond" or "milliseconds" => n,
            "us" or "micro" or "micros" or "microsecond" or "microseconds" => n / 1000,
            "ns" or "nano" or "nanos" or "nanosecond" or "nanoseconds" => n / 1_000_000,
            "s" or "second" or "seconds" => n * 1000,
            "m" or "minute" or "minutes" => n * 60_000,
            "h" or "hour" or "hours" => n * 3_600_000,
            "d" or "day" or "days" => n * 86_400_000,
            _ => null,
        };
        return ms is { } v && v <= int.MaxValue ? TimeSpan.FromMilliseconds(v) : null;
    }

    /// <summary>
    /// HOCON's size format as Akka's GetByteSize reads it (number, optional space, unit; no unit = bytes): B, KiB, MiB,
    /// GiB and their long names, and k/K, m/M, g/G as the same powers of two. Null for anything else or above long.
    /// </summary>
    public static long? ParseSize(string text)
    {
        var t = text.Trim();
        var split = 0;
        while (split < t.Length && char.IsAsciiDigit(t[split])) split++;
        if (split == 0 || !long.TryParse(t.AsSpan(0, split), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return null;
        long? unit = t[split..].Trim() switch
        {
            "" or "b" or "B" or "byte" or "bytes" => 1,
            "k" or "K" or "Ki" or "KiB" or "kibibyte" or "kibibytes" => 1L << 10,
            "m" or "M" or "Mi" or "MiB" or "mebibyte" or "mebibytes" => 1L << 20,
            "g" or "G" or "Gi" or "GiB" or "gibibyte" or "gibibytes" => 1L << 30,
            _ => null,
        };
        if (unit is not { } u || n > long.MaxValue / u) return null;
        return n * u;
    }

    private static TotemdHoconResult Refused(string path, string reason) =>
        new(null, null, [ConfigDiagnostic.Error(SourcePosition.WholeFile(path), $"cannot read HOCON file '{Path.GetFullPath(path)}': {reason}")]);

    private sealed class Reader(Config config, string fileName, Dictionary<string, SourcePosition> file, IReadOnlyDictionary<string, SourcePosition> reference, List<ConfigDiagnostic> diagnostics)
    {
        private const string R = TotemdSettings.Root;

        public TotemdSettings? Read()
        {
            foreach (var section in new[] { R, $"{R}.control", $"{R}.client", $"{R}.fencing", $"{R}.discovery", $"{R}.logging", $"{R}.delivered-log", $"{R}.observer", $"{R}.send-queue" })
            {
                var value = config.GetValue(section);
                if (value is not null && !value.IsObject()) Error(section, $"key '{section}' must be an object ({{ ... }}), but a value was given");
            }
            if (diagnostics.Any(d => d.IsError)) return null;

            var address = Text($"{R}.control.address");
            IPAddress? ip = null;
            if (address is not null && !IPAddress.TryParse(address, out ip))
                Error($"{R}.control.address", $"value of key '{R}.control.address' is expected to be an IP address (e.g. 127.0.0.1 or ::1), but \"{address}\" was given");
            var port = Int($"{R}.control.port", 1, 65535);
            var mode = Choice($"{R}.fencing.mode", new Dictionary<string, FencingMode> { ["exit"] = FencingMode.Exit, ["none"] = FencingMode.None });
            var fencingTimeout = Duration($"{R}.fencing.timeout", allowZero: false);
            var bootDelay = Duration($"{R}.fencing.boot-delay", allowZero: true);
            var interval = Duration($"{R}.discovery.interval", allowZero: false);
            var source = Choice($"{R}.discovery.nodeid-source", new Dictionary<string, NodeIdSource>
            {
                ["address"] = NodeIdSource.Address,
                ["reverse_dns_replica"] = NodeIdSource.ReverseDnsReplica,
            });
            var level = Choice($"{R}.logging.level", new Dictionary<string, LogLevelSetting>
            {
                ["info"] = LogLevelSetting.Info,
                ["debug"] = LogLevelSetting.Debug,
                ["trace"] = LogLevelSetting.Trace,
            });
            var logFile = Text($"{R}.logging.file");
            var format = Choice($"{R}.logging.format", new Dictionary<string, LogFormat> { ["corosync"] = LogFormat.Corosync, ["json"] = LogFormat.Json });
            var logMessages = Int($"{R}.delivered-log.messages", 1, int.MaxValue);
            var logBytes = Size($"{R}.delivered-log.bytes");
            var queueMessages = Int($"{R}.send-queue.messages", 1, int.MaxValue);
            var queueBytes = Size($"{R}.send-queue.bytes", Totem.Protocol.Pg.PgLimits.MaxMessageBytes, "one message of the largest size, 1MiB");
            var leave = Duration($"{R}.leave-timeout", allowZero: false);
            var stateDir = Text($"{R}.state-dir");
            var keyFile = Text($"{R}.keyfile");
            var clientSocket = Text($"{R}.client.socket");
            var inflight = Int($"{R}.client.max-inflight-bytes", Totem.Protocol.Client.ClientFrameCodec.MaxFrameBytes, int.MaxValue);
            var maxClients = Int($"{R}.client.max-clients", 1, 65535);
            var observer = Choice($"{R}.observer.enabled", new Dictionary<string, bool> { ["on"] = true, ["off"] = false, ["true"] = true, ["false"] = false, ["yes"] = true, ["no"] = false });
            var observerPort = Int($"{R}.observer.port", 1, 65535);
            if (keyFile is not null && string.IsNullOrWhiteSpace(keyFile))
                Error($"{R}.keyfile", $"value of key '{R}.keyfile' is expected to be a file path (corosync's is {AuthKeyFile.DefaultPath}), but \"\" was given");
            if (diagnostics.Any(d => d.IsError)) return null;
            return new TotemdSettings(new IPEndPoint(ip ?? IPAddress.Parse(ControlDefaults.Address), port ?? ControlDefaults.Port),
                mode!.Value, fencingTimeout!.Value, bootDelay!.Value, interval!.Value, source!.Value, level!.Value,
                NonEmpty(logFile), format!.Value, leave!.Value, NonEmpty(stateDir), keyFile!)
            {
                DeliveredLog = new DeliveredLogLimits(logMessages!.Value, logBytes!.Value),
                SendQueue = new SendQueueLimits(queueMessages!.Value, queueBytes!.Value),
                ClientSocket = NonEmpty(clientSocket),
                ClientMaxInflightBytes = inflight!.Value,
                ClientMaxClients = maxClients!.Value,
                ObserverEnabled = observer!.Value,
                ObserverPort = observerPort!.Value,
            };
        }

        private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

        /// <summary>A scalar; null (with an error) for an object or a list.</summary>
        private string? Text(string key)
        {
            var value = config.GetValue(key);
            if (value is null)
            {
                Error(key, $"key '{key}' is missing (it has a default in reference.conf; was it set to null?)");
                return null;
            }
            if (value.IsObject() || value.IsArray())
            {
                Error(key, $"value of key '{key}' is expected to be a single value, but {(value.IsArray() ? "a list" : "an object")} was given");
                return null;
            }
            return value.GetString();
        }

        private int? Int(string key, int min, int max)
        {
            var text = Text(key);
            if (text is null) return null;
            if (int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max) return n;
            Error(key, $"value of key '{key}' is expected to be an integer from {min} to {max}, but \"{text}\" was given");
            return null;
        }

        private T? Choice<T>(string key, Dictionary<string, T> choices) where T : struct
        {
            var text = Text(key);
            if (text is null) return null;
            if (choices.TryGetValue(text.Trim(), out var value)) return value;
            Error(key, $"value of key '{key}' is expected to be one of {string.Join(", ", choices.Keys)}, but \"{text}\" was given");
            return null;
        }

        /// <summary>HOCON durations: "500ms", "10s", "1m"; a bare number is milliseconds (Akka's reading).</summary>
        private TimeSpan? Duration(string key, bool allowZero)
        {
            var text = Text(key);
            if (text is null) return null;
            if (ParseDuration(text) is { } v && (allowZero || v > TimeSpan.Zero)) return v;
            Error(key, $"value of key '{key}' is expected to be a {(allowZero ? "" : "positive ")}duration such as 500ms or 10s, but \"{text}\" was given");
            return null;
        }

        /// <summary>A positive size in bytes (<see cref="ParseSize"/>).</summary>
        private long? Size(string key)
        {
            var text = Text(key);
            if (text is null) return null;
            if (ParseSize(text) is { } v && v > 0) return v;
            Error(key, $"value of key '{key}' is expected to be a positive size such as 16MiB, 512KiB or 1048576, but \"{text}\" was given");
            return null;
        }

        /// <param name="least">What the smallest allowed size stands for, for the error.</param>
        private long? Size(string key, long minimum, string least)
        {
            if (Size(key) is not { } v) return null;
            if (v >= minimum) return v;
            Error(key, $"value of key '{key}' is {v} bytes; it must be at least {minimum} bytes ({least})");
            return null;
        }

        /// <summary>Blames the line that set the key: the --akka-config file's, else reference.conf's.</summary>
        private void Error(string key, string message)
        {
            var at = file.TryGetValue(key, out var p) ? p
                : reference.TryGetValue(key, out var r) ? r with { File = ReferenceName }
                : SourcePosition.WholeFile(fileName);
            diagnostics.Add(ConfigDiagnostic.Error(at, message));
        }
    }
}
