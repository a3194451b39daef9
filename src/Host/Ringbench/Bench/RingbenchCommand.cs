using System.CommandLine;
using Totem.Host.Ringbench.LocalRing;

namespace Totem.Host.Ringbench.Bench;

/// <summary>
/// `ringbench [--repeats N] [--messages N] [--in-flight N] [--http] [--nodes N] [--token MS] [--token-coefficient MS] [--corosync]
/// [--crypto CIPHER/HASH [--crypto-rounds N]] [--sizes B...] [--cpg-window BYTES] [--corosync-realtime]`, `ringbench crypto [--suite CIPHER/HASH] [--rounds N] [--sizes B...] ...`
/// and `ringbench store ...`.
/// </summary>
public static class RingbenchCommand
{
    public static RootCommand Build(Func<BenchOptions, CancellationToken, Task<int>> run)
    {
        var repeats = new Option<int>("--repeats") { Description = "Fresh rings to cold-start and kill a node of (min/median/max over these)", DefaultValueFactory = _ => 5 };
        var messages = new Option<int>("--messages") { Description = $"Messages per throughput run through the client sockets (fewer for large messages: at most {BenchOptions.MaxRunBytes / (1024 * 1024)} MiB a run)", DefaultValueFactory = _ => 40_000 };
        var inFlight = new Option<int>("--in-flight") { Description = "POST /v1/messages requests in flight per sender (--http)", DefaultValueFactory = _ => 64 };
        var http = new Option<bool>("--http") { Description = "Also measure the HTTP path (one POST /v1/messages per message, 64 B and 1 KiB) in the same run" };
        var nodes = new Option<int>("--nodes") { Description = "Ring size (127.0.0.1..N)", DefaultValueFactory = _ => 5 };
        var token = new Option<uint>("--token") { Description = "totem.token (ms); corosync's default 3000", DefaultValueFactory = _ => 3000 };
        var coefficient = new Option<uint>("--token-coefficient") { Description = "totem.token_coefficient (ms); corosync's default 650", DefaultValueFactory = _ => 650 };
        var corosync = new Option<bool>("--corosync") { Description = "Also run each repeat on corosync 3 (Debian's package) in network namespaces, same keys, and print both side by side" };
        var sizes = new Option<int[]>("--sizes") { Description = "Payload sizes (bytes) of the throughput runs, e.g. --sizes 1024 65536 (a subset of the rows)", DefaultValueFactory = _ => PayloadSizes, AllowMultipleArgumentsPerToken = true };
        sizes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int[]>() is not { Length: > 0 } values || values.Any(v => v is < 1 or > (int)Totem.Protocol.Pg.PgLimits.MaxMessageBytes - 1))
                r.AddError($"--sizes takes one or more sizes of 1..{Totem.Protocol.Pg.PgLimits.MaxMessageBytes - 1} bytes");
        });
        var cpgWindow = new Option<long>("--cpg-window") { Description = "--corosync: bytes of its own undelivered messages each CPG sender may have in flight; 0 is none (corosync then drops multicasts under load)", DefaultValueFactory = _ => BenchOptions.DefaultCpgWindowBytes };
        var corosyncRealtime = new Option<bool>("--corosync-realtime") { Description = "--corosync: leave corosync at its default SCHED_RR 99 (by default its corosync.conf says sched_rr: no, priority: 0: SCHED_OTHER as totemd, so a loaded machine does not favour it)" };
        cpgWindow.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 0) r.AddError("--cpg-window must be 0 (none) or more bytes");
        });
        var crypto = SuiteOption("--crypto", "none",
            "crypto_cipher/crypto_hash of the ring (knet, a fresh authkey), e.g. aes256/sha256; then its throughput is compared with crypto none's (see the crypto command)");
        var cryptoRounds = new Option<int>("--crypto-rounds") { Description = "With --crypto: rounds of the interleaved comparison with crypto none", DefaultValueFactory = _ => 1 };
        foreach (var (option, min) in new[] { (repeats, 1), (messages, 1), (inFlight, 1), (nodes, 2), (cryptoRounds, 1) })
            option.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() < min) r.AddError($"{option.Name} must be at least {min}");
            });
        nodes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() > 254) r.AddError("--nodes must be at most 254 (127.0.0.1..127.0.0.254)");
        });
        token.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<uint>() == 0) r.AddError("--token must be at least 1 ms");
        });

        var root = new RootCommand("ringbench: cold start, crash-to-membership, ordered throughput and memory of a ring of real totemd processes on 127.0.0.x")
        {
            repeats, messages, inFlight, http, nodes, token, coefficient, corosync, crypto, cryptoRounds, sizes, cpgWindow, corosyncRealtime,
        };
        root.Add(StoreCommand(nodes, token, coefficient));
        root.Add(CryptoCommand(messages, nodes, token, coefficient, sizes));
        root.Add(Whatif.WhatifValidateCommand.Command(nodes, token, coefficient));
        root.SetAction((p, ct) => run(new BenchOptions(
            new RingSpec(p.GetValue(nodes), p.GetValue(token), p.GetValue(coefficient), Crypto: p.GetValue(crypto)!),
            p.GetValue(repeats), p.GetValue(messages), p.GetValue(inFlight), p.GetValue(sizes)!)
        {
            Corosync = p.GetValue(corosync), Http = p.GetValue(http), CryptoRounds = p.GetValue(cryptoRounds), CpgWindowBytes = p.GetValue(cpgWindow),
            CorosyncRealtime = p.GetValue(corosyncRealtime),
        }, ct));
        return root;
    }

    /// <summary>The payload sizes of the throughput rows (1 and N senders each).</summary>
    private static readonly int[] PayloadSizes = [64, 1024, 64 * 1024];

    private static Option<string> SuiteOption(string name, string defaultSuite, string description)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultSuite };
        option.Validators.Add(r =>
        {
            if (Totem.Protocol.Config.TotemCrypto.ParseSuite(r.GetValueOrDefault<string>() ?? "", out var error) is null) r.AddError($"{name} {error}");
        });
        return option;
    }

    /// <summary>
    /// `ringbench crypto [--suite CIPHER/HASH] [--rounds N] [--sizes B...]`: issue 12's throughput comparison alone (<see cref="CryptoComparison"/>),
    /// without the cold starts and kills of the main run, so that a run of several rounds stays short.
    /// </summary>
    private static Command CryptoCommand(Option<int> messages, Option<int> nodes, Option<uint> token, Option<uint> coefficient, Option<int[]> sizes)
    {
        var suite = SuiteOption("--suite", "aes256/sha256", "crypto_cipher/crypto_hash compared with crypto none");
        suite.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() == "none") r.AddError("--suite none: crypto none is the baseline; name a suite to compare with it");
        });
        var rounds = new Option<int>("--rounds") { Description = "Rounds: each runs every row once on each ring, alternately", DefaultValueFactory = _ => 3 };
        rounds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--rounds must be at least 1");
        });
        var cmd = new Command("crypto", "Throughput with a crypto suite against crypto none, two rings side by side, rows interleaved (ABBA), median and min over the rounds; and the seal's cost per datagram")
        {
            suite, rounds, messages, nodes, token, coefficient, sizes,
        };
        cmd.SetAction(async (p, ct) =>
        {
            var options = new BenchOptions(new RingSpec(p.GetValue(nodes), p.GetValue(token), p.GetValue(coefficient), Crypto: p.GetValue(suite)!),
                Repeats: 1, p.GetValue(messages), InFlight: 1, p.GetValue(sizes)!);
            try
            {
                var result = await new CryptoComparison(options, Console.Out).RunAsync(p.GetValue(rounds), ct).ConfigureAwait(false);
                Console.WriteLine();
                Console.Write(result.Report());
                return 0;
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"ringbench crypto: {ex.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return cmd;
    }

    /// <summary>`ringbench store [--writes N] [--clients C] [--size B]`: the replicated store's write latency and throughput (issue 16).</summary>
    private static Command StoreCommand(Option<int> nodes, Option<uint> token, Option<uint> coefficient)
    {
        var writes = new Option<int>("--writes") { Description = "Writes of the latency run, and in all of the throughput run", DefaultValueFactory = _ => 2000 };
        var clients = new Option<int>("--clients") { Description = "Concurrent writers of the throughput run, spread over the nodes", DefaultValueFactory = _ => 16 };
        var size = new Option<int>("--size") { Description = "Bytes of each value", DefaultValueFactory = _ => 256 };
        foreach (var option in new[] { writes, clients })
            option.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() < 1) r.AddError($"{option.Name} must be at least 1");
            });
        size.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > Totem.Protocol.Store.StoreLimits.MaxValueBytes)
                r.AddError($"--size must be 0..{Totem.Protocol.Store.StoreLimits.MaxValueBytes}");
        });
        var cmd = new Command("store", "Write latency (p50/p99, one client) and throughput (concurrent clients) of the replicated store") { writes, clients, size, nodes, token, coefficient };
        cmd.SetAction((p, ct) => new StoreBenchmark(new RingSpec(p.GetValue(nodes), p.GetValue(token), p.GetValue(coefficient), FencingMode: "none"),
            p.GetValue(writes), p.GetValue(clients), p.GetValue(size), Console.Out).RunAsync(ct));
        return cmd;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        var root = Build(async (options, ct) =>
        {
            try
            {
                var result = await new RingBenchmark(options, Console.Out).RunAsync(ct).ConfigureAwait(false);
                Console.WriteLine();
                Console.Write(result.Report());
                return 0;
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"ringbench: {ex.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) await Console.Error.WriteLineAsync($"ringbench: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token).ConfigureAwait(false);
    }
}
