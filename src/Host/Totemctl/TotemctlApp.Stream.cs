using System.CommandLine;
using System.Globalization;
using Totem.Client;
using Totem.Protocol.Client;

namespace Totem.Host.Totemctl;

/// <summary>`totemctl send --size B [--rate N] [--count C] [--socket PATH]`: a stream of messages through the node's client socket.</summary>
public sealed partial class TotemctlApp
{
    /// <summary>The environment variable totemctl reads when --socket is not given.</summary>
    public const string SocketEnvironmentVariable = "TOTEM_CLIENT_SOCKET";

    private static (Option<double> Rate, Option<int> Size, Option<long> Count, Option<string?> Socket) SocketSendOptions()
    {
        var rate = new Option<double>("--rate") { Description = "Messages per second (0: as fast as the node takes them)", DefaultValueFactory = _ => 0 };
        var size = new Option<int>("--size") { Description = $"Bytes per message (1 .. {ClientFrameCodec.MaxMessageBytes})" };
        var count = new Option<long>("--count") { Description = "Messages to send (default: 10 s worth at --rate, else 100000)" };
        var socket = new Option<string?>("--socket") { Description = $"The node's client socket (default ${SocketEnvironmentVariable}; totemd logs where it listens)" };
        rate.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0 or double.NaN or double.PositiveInfinity) r.AddError("--rate must be a number of messages per second, 0 or more");
        });
        size.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > ClientFrameCodec.MaxMessageBytes) r.AddError($"--size must be 1 .. {ClientFrameCodec.MaxMessageBytes} bytes");
        });
        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 1) r.AddError("--count must be at least 1");
        });
        return (rate, size, count, socket);
    }

    private async Task<int> SendStreamAsync(ParseResult p, Option<double> rateOption, Option<int> sizeOption, Option<long> countOption, Option<string?> socketOption, CancellationToken ct)
    {
        var path = p.GetValue(socketOption) ?? environment(SocketEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(path))
        {
            await error.WriteLineAsync($"totemctl: send --size needs the node's client socket: --socket PATH or ${SocketEnvironmentVariable} (totemd logs \"Client socket listening on PATH\")").ConfigureAwait(false);
            return ExitCodes.UsageOrConnection;
        }
        var rate = p.GetValue(rateOption);
        var size = p.GetValue(sizeOption);
        var count = p.GetResult(countOption) is null ? (rate > 0 ? Math.Max(1, (long)(rate * 10)) : 100_000) : p.GetValue(countOption);
        // One payload for every message: the stream measures the ring, not the generation of bytes.
        var payload = new byte[size];
        Array.Fill(payload, (byte)'.');
        try
        {
            await using var client = await TotemClient.ConnectAsync(path, ct).ConfigureAwait(false);
            var report = await MessagePump.RunAsync(client, new PumpOptions(count, rate), _ => payload, null, ct).ConfigureAwait(false);
            var c = CultureInfo.InvariantCulture;
            var asked = rate > 0 ? string.Create(c, $" (asked {rate:0.#} msg/s)") : "";
            await output.WriteLineAsync(string.Create(c,
                $"sent {report.Accepted} messages of {size} B in {report.Elapsed.TotalSeconds:0.000} s: {report.MessagesPerSecond:0} msg/s{asked}, " +
                $"{report.MessagesPerSecond * size / (1024 * 1024):0.00} MiB/s, {report.Batches} batches, {report.TryAgains} TRY_AGAIN")).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (TotemClientException ex)
        {
            await error.WriteLineAsync($"totemctl: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.UsageOrConnection;
        }
    }
}
