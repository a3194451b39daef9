using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Totem.Host.Control;
using Totem.Host.Control.Api;
using Totem.Host.Ringbench.LocalRing;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;
using Xunit.Abstractions;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// Issue 12's attacker suite: four real totemd processes (nodes 1..4 of a five-node nodelist) with crypto_cipher
/// aes256 and crypto_hash sha256 and a key from keygen, and an attacker in this process without the key. Every
/// attack is counted; after each the ring must be the same ring (membership and ring id on every node), the
/// refusal counters must have risen by exactly the datagrams sent, for the reason each must be refused for, and
/// at the end the delivered order is one order of exactly the messages posted through the control API.
/// Authentic datagrams are captured off loopback with a raw socket (<see cref="LoopbackCapture"/>).
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class AttackerTests(ITestOutputHelper output)
{
    private static readonly RingSpec Spec = new(Token: 1000, ClusterName: "attacked", Crypto: "aes256/sha256");
    private static readonly CryptoSettings Suite = new(CryptoCipher.Aes256, CryptoHash.Sha256);
    private static readonly int[] Members = [1, 2, 3, 4];
    private const string Crypto = "runtime.totem.crypto.rx_dropped_";
    private const string Unlisted = "runtime.totem.udpu.packets_rejected_unlisted";

    [Fact]
    public Task Without_the_key_no_forged_replayed_tampered_or_flooded_datagram_changes_the_ring_and_a_node_with_another_key_never_joins() =>
        RingScenario.RunAsync(Spec, output, async (ring, step) =>
        {
            using var capture = LoopbackCapture.Start(ring.RingPort);
            ring.StartAll(Members);
            await ring.WaitForRingAsync(Members, quorate: true, TimeSpan.FromSeconds(60));
            var formedAt = capture.Total;
            step.Done($"nodes 1..4 with {Spec.Crypto} and the key {ring.KeyFile}: one quorate ring");

            using var attacker = new Attacker(ring.RingPort);
            var posts = new Posts(ring);
            var tally = new List<string>();
            var random = new Random(12);
            var wrongKey = RandomNumberGenerator.GetBytes(AuthKeyFile.DefaultBytes);

            await posts.PostAsync("warm-up", 10);
            await posts.WaitDeliveredAsync(Members);
            var ringId = await SameRingAsync(ring, Members);
            var forged = Forged(ringId, Members);

            async Task Attack(string name, string[] reasons, Func<int> send)
            {
                var before = await DropsAsync(ring, Members);
                var sent = send();
                var delta = await WaitForDropsAsync(ring, Members, before, reasons, sent);
                var counted = reasons.Sum(r => delta.GetValueOrDefault(r));
                var now = await SameRingAsync(ring, Members);
                var result = $"refused: {Describe(delta)}; ring {now.ToString()} on [1,2,3,4]";
                tally.Add($"| {name} | {sent} | {result} |");
                step.Done($"{name}: {sent} sent, {result}");
                Assert.Equal(sent, counted);
                Assert.Equal(ringId, now);
            }

            // 1. Forged with real node ids and the current ring id, sent from the claimed sender's own address.
            await posts.PostAsync("forged", 5);
            await Attack("forged token/join/leave/merge-detect/commit/mcast, clear", ["too_short", "bad_version"], () =>
            {
                var n = 0;
                foreach (var (from, to, message) in forged) { attacker.Send(LocalRing.Address(from), to, TotemCodec.Encode(message)); n++; }
                return n;
            });
            await Attack("the same, sealed with a wrong key", ["bad_tag"], () =>
            {
                var seals = Members.ToDictionary(m => m, m => new DatagramSeal(Suite, wrongKey, Spec.ClusterName, new NodeId((uint)m), DatagramCrypto.EpochNow(TimeProvider.System) + 1_000_000));
                var n = 0;
                foreach (var (from, to, message) in forged) { attacker.Send(LocalRing.Address(from), to, seals[from].Seal(TotemCodec.Encode(message), new NodeId((uint)to))); n++; }
                foreach (var seal in seals.Values) seal.Dispose();
                return n;
            });
            await Attack("the same, sealed with a wrong key and another suite (aes256/sha512)", ["suite_mismatch"], () =>
            {
                var n = 0;
                foreach (var (from, to, message) in forged)
                {
                    using var seal = new DatagramSeal(new CryptoSettings(CryptoCipher.Aes256, CryptoHash.Sha512), wrongKey, Spec.ClusterName, new NodeId((uint)from), 1);
                    attacker.Send(LocalRing.Address(from), to, seal.Seal(TotemCodec.Encode(message), DatagramSeal.Everyone));
                    n++;
                }
                return n;
            });
            await Attack("the same from 127.0.0.9 (not in the nodelist)", ["unlisted"], () =>
            {
                var n = 0;
                foreach (var (_, to, message) in forged) { attacker.Send(IPAddress.Parse("127.0.0.9"), to, TotemCodec.Encode(message)); n++; }
                return n;
            });

            // 2. Captured authentic datagrams: replayed, redirected, reflected, tampered with.
            await posts.PostAsync("capture", 20);
            await posts.WaitDeliveredAsync(Members);
            await Task.Delay(200); // every captured datagram has reached its node before it is sent again
            var authentic = Authentic(capture, formedAt, Members);
            Assert.True(authentic.Count >= 200, $"only {authentic.Count} authentic datagrams captured");
            var recent = authentic.TakeLast(300).ToList();
            await Attack("captured datagrams replayed immediately", ["replayed", "below_window"], () =>
            {
                foreach (var d in recent) attacker.Send(d.From, d.To, d.Bytes);
                return recent.Count;
            });
            var unicasts = recent.Where(d => d.SealedDestination != 0).Take(100).ToList();
            await Attack("captured unicasts (tokens) redirected to another member", ["wrong_destination"], () =>
            {
                foreach (var d in unicasts) attacker.Send(d.From, Members.First(m => m != d.SealedSender && m != d.SealedDestination), d.Bytes);
                return unicasts.Count;
            });
            // Broadcasts only: a unicast sent back to its sender is addressed to another node, refused as that first.
            var broadcasts = recent.Where(d => d.SealedDestination == 0).Take(100).ToList();
            Assert.True(unicasts.Count >= 10 && broadcasts.Count >= 10, $"captured {unicasts.Count} unicasts and {broadcasts.Count} broadcasts");
            await Attack("captured datagrams reflected to their sender", ["from_self"], () =>
            {
                foreach (var d in broadcasts) attacker.Send(d.To, d.From, d.Bytes);
                return broadcasts.Count;
            });
            await Attack("captured datagrams with one bit flipped (after the version and suite bytes)", ["bad_tag"], () =>
            {
                foreach (var d in recent)
                {
                    var bytes = (byte[])d.Bytes.Clone();
                    var bit = random.Next(16, bytes.Length * 8);
                    bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                    attacker.Send(d.From, d.To, bytes);
                }
                return recent.Count;
            });
            await Attack("captured datagrams truncated or extended", ["too_short", "bad_length", "bad_tag"], () =>
            {
                foreach (var d in recent)
                {
                    var cut = random.Next(3) switch
                    {
                        0 => d.Bytes.Length - random.Next(1, 16),
                        1 => random.Next(0, 90),
                        _ => d.Bytes.Length + random.Next(1, 64),
                    };
                    var bytes = new byte[Math.Max(0, cut)];
                    d.Bytes.AsSpan(0, Math.Min(cut, d.Bytes.Length)).CopyTo(bytes);
                    attacker.Send(d.From, d.To, bytes);
                }
                return recent.Count;
            });

            // 3. A flood while the members keep posting: refusals are counted (the rest lost in socket buffers), the ring holds.
            var floodBefore = await DropsAsync(ring, Members);
            var floodPosts = posts.PostAsync("flood", 25);
            var flooded = Flood(attacker, forged, wrongKey, 40_000);
            await floodPosts;
            await posts.WaitDeliveredAsync(Members);
            await Task.Delay(500);
            var floodDelta = Delta(floodBefore, await DropsAsync(ring, Members));
            var afterFlood = await SameRingAsync(ring, Members);
            tally.Add($"| flood: wrong-key and clear forged datagrams, as fast as one thread sends | {flooded} | refused: {Describe(floodDelta)} (the rest dropped by full socket buffers); ring {afterFlood.ToString()} on [1,2,3,4]; 100 messages posted during it delivered |");
            step.Done($"flood: {flooded} sent, refused {Describe(floodDelta)}; ring {afterFlood.ToString()}");
            Assert.Equal(ringId, afterFlood);
            Assert.True(floodDelta.Values.Sum() > flooded / 4, $"only {floodDelta.Values.Sum()} of {flooded} flood datagrams reached the nodes' seals");

            // 4. The ring changes: node 4 leaves and comes back with a new boot epoch. Old captures stay refused.
            ring.Terminate(4);
            await ring.WaitForRingAsync([1, 2, 3], quorate: true, RingScenario.Generous);
            await ring.Process(4).WaitForExitAsync(TimeSpan.FromSeconds(10));
            ring.Start(4);
            posts.Restarted(4);
            await ring.WaitForRingAsync(Members, quorate: true, TimeSpan.FromSeconds(60));
            var ringId2 = await SameRingAsync(ring, Members);
            Assert.NotEqual(ringId, ringId2);
            step.Done($"node 4 left and restarted: ring {ringId2.ToString()}");
            ringId = ringId2;
            await posts.PostAsync("after restart", 5);
            // Between nodes 1..3 only: node 4 restarted as a receiver, and a receiver's replay state is its life's (DatagramSeal says so).
            var older = authentic.Where(d => d.SealedSender != 4 && !d.To.Equals(LocalRing.Address(4))).Take(300).ToList();
            await Attack("captured datagrams replayed later, after a ring change", ["replayed", "below_window"], () =>
            {
                foreach (var d in older) attacker.Send(d.From, d.To, d.Bytes);
                return older.Count;
            });
            var fromRestarted = authentic.Where(d => d.SealedSender == 4).Take(300).ToList();
            await Attack("node 4's captured datagrams replayed after node 4 restarted", ["older_epoch"], () =>
            {
                foreach (var d in fromRestarted) attacker.Send(d.From, d.To, d.Bytes);
                return fromRestarted.Count;
            });

            // 5. A node with another key (node 5, its own authkey) tries to join for a token timeout and a consensus.
            var otherKey = Path.Combine(ring.RunDirectory, "other-authkey");
            Assert.Null(AuthKeyFile.Write(otherKey, AuthKeyFile.DefaultBytes, overwrite: false));
            var otherConfig = Path.Combine(ring.RunDirectory, "other-key.conf");
            await File.WriteAllTextAsync(otherConfig, (await File.ReadAllTextAsync(ring.ConfigPath)).Replace(ring.KeyFile!, otherKey, StringComparison.Ordinal));
            var beforeOther = await DropsAsync(ring, Members);
            ring.Start(5, otherConfig);
            await ring.WaitUntilAsync(async () => (await ring.TryStatusAsync(5)) is not null && (await DropsAsync(ring, [5])).GetValueOrDefault("bad_tag") > 0,
                TimeSpan.FromSeconds(60), "node 5 (another key) answers and refuses the ring's datagrams");
            await Task.Delay(TimeSpan.FromMilliseconds(ring.Timeouts.Token + ring.Timeouts.Consensus + 500));
            var alone = await ring.Client(5).GetStatusAsync(CancellationToken.None);
            var otherDelta = Delta(beforeOther, await DropsAsync(ring, Members));
            var refusedByFive = (await DropsAsync(ring, [5])).GetValueOrDefault("bad_tag");
            var afterOther = await SameRingAsync(ring, Members);
            tally.Add($"| a node with another key (node 5) for token + consensus + 0.5 s | {otherDelta.GetValueOrDefault("bad_tag")} of its datagrams | refused by 1..4: {Describe(otherDelta)}; node 5 refused {refusedByFive} of theirs and stayed alone (members [{string.Join(",", alone.Members)}]); ring {afterOther.ToString()} on [1,2,3,4] |");
            step.Done($"node 5 with another key: members [{string.Join(",", alone.Members)}], refused by the ring {Describe(otherDelta)}, refused {refusedByFive} of the ring's");
            Assert.Empty(alone.Members.Intersect([1u, 2u, 3u, 4u]));
            Assert.True(otherDelta.GetValueOrDefault("bad_tag") > 0);
            Assert.Equal(ringId, afterOther);
            Assert.Contains(ring.Process(5).Lines(), l => l.Contains("Unable to decrypt/auth packet", StringComparison.Ordinal));
            ring.Kill(5);

            // 6. One order of exactly what was posted; nobody crashed.
            await posts.WaitDeliveredAsync(Members);
            await posts.AssertOneOrderAsync(Members, restarted: 4);
            Assert.All(Members, n => Assert.False(ring.Process(n).HasExited, $"node {n} exited"));
            var exposition = await ring.Client(1).GetMetricsTextAsync(CancellationToken.None);
            Assert.True(Metrics.Sample(exposition, "totem_datagrams_unauthenticated_total{reason=\"bad_tag\"}") > 0, "node 1's /metrics has no bad_tag refusals");
            Assert.True(Metrics.Sample(exposition, "totem_datagrams_unauthenticated_total{reason=\"replayed\"}") > 0, "node 1's /metrics has no replayed refusals");
            output.WriteLine("| attack | count | result |\n|---|---|---|\n" + string.Join('\n', tally));
            output.WriteLine($"captured {capture.Total} sealed datagrams off loopback; {posts.Count} messages posted and delivered in one order");
        });

    /// <summary>Every member operational on one ring with exactly the members; that ring.</summary>
    private static async Task<RingId> SameRingAsync(LocalRing ring, int[] members)
    {
        var statuses = await Task.WhenAll(members.Select(n => ring.Client(n).GetStatusAsync(CancellationToken.None)));
        var expected = members.Select(m => (uint)m).ToArray();
        foreach (var s in statuses)
        {
            Assert.Equal("operational", s.State);
            Assert.Equal(expected, s.Members);
            Assert.Equal(statuses[0].RingId, s.RingId);
        }
        return new RingId(new NodeId(statuses[0].RingId.Rep), statuses[0].RingId.Seq);
    }

    /// <summary>The seal's refusals per reason (rx_dropped_bad_tag -> bad_tag) and block_unlisted_ips' rejections ("unlisted"), summed over the nodes.</summary>
    private static async Task<Dictionary<string, long>> DropsAsync(LocalRing ring, int[] nodes)
    {
        var sum = new Dictionary<string, long>();
        foreach (var n in nodes)
            foreach (var e in (await ring.Client(n).GetRuntimeAsync("runtime.totem.", CancellationToken.None)).Entries)
            {
                var reason = e.Key == Unlisted ? "unlisted" : e.Key.StartsWith(Crypto, StringComparison.Ordinal) ? e.Key[Crypto.Length..] : null;
                if (reason is not null) sum[reason] = sum.GetValueOrDefault(reason) + long.Parse(e.Value, CultureInfo.InvariantCulture);
            }
        return sum;
    }

    private static async Task<Dictionary<string, long>> WaitForDropsAsync(LocalRing ring, int[] nodes, Dictionary<string, long> before, string[] reasons, int sent)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var delta = Delta(before, await DropsAsync(ring, nodes));
            if (reasons.Sum(r => delta.GetValueOrDefault(r)) >= sent || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                // A moment more: a refusal for a reason it must not have would show up now.
                await Task.Delay(100);
                return Delta(before, await DropsAsync(ring, nodes));
            }
            await Task.Delay(50);
        }
    }

    private static Dictionary<string, long> Delta(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.Select(a => (a.Key, Value: a.Value - before.GetValueOrDefault(a.Key))).Where(a => a.Value != 0).ToDictionary(a => a.Key, a => a.Value);

    private static string Describe(Dictionary<string, long> delta) =>
        delta.Count == 0 ? "nothing" : string.Join(", ", delta.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} {d.Value}"));

    /// <summary>Sealed datagrams between members captured once the ring had formed (earlier ones may never have reached a node still starting).</summary>
    private static List<CapturedDatagram> Authentic(LoopbackCapture capture, long formedAt, int[] members)
    {
        var addresses = members.Select(LocalRing.Address).ToHashSet();
        return capture.Snapshot().Where(d => d.Index >= formedAt && addresses.Contains(d.From) && addresses.Contains(d.To)).ToList();
    }

    /// <summary>Each kind of Totem message, with a real node id as sender and the ring's id, to every other member.</summary>
    private static List<(int From, int To, TotemMessage Message)> Forged(RingId ring, int[] members)
    {
        var all = members.Select(m => new NodeId((uint)m)).ToValueList();
        var list = new List<(int, int, TotemMessage)>();
        foreach (var from in members)
        {
            var sender = new NodeId((uint)from);
            foreach (var to in members.Where(m => m != from))
            {
                var others = all.Where(n => n != sender).ToValueList();
                TotemMessage[] messages =
                [
                    new OrfToken(sender, ring, 5000, 1_000_000, 5000, new NodeId(0), 0, 0, false, ValueList<uint>.Empty),
                    new JoinMessage(sender, ring.Seq + 8, all.Append(new NodeId(5)).ToValueList(), new[] { new NodeId((uint)to) }.ToValueList()),
                    new LeaveMessage(sender, ring.Seq, others, new[] { sender }.ToValueList()),
                    new MergeDetect(sender, new RingId(new NodeId(5), ring.Seq + 100)),
                    new CommitToken(sender, new RingId(sender, ring.Seq + 4), 0, 0, all.Select(n => new CommitMember(n, ring, 0, 0, false)).ToValueList()),
                    new McastMessage(sender, ring, 5000, sender, DeliveryGuarantee.Agreed, PgFrame.Single(Encoding.UTF8.GetBytes($"forged by the attacker as node {from}").ToValueList()), null),
                ];
                list.AddRange(messages.Select(m => (from, to, m)));
            }
        }
        return list;
    }

    private static int Flood(Attacker attacker, List<(int From, int To, TotemMessage Message)> forged, byte[] wrongKey, int count)
    {
        using var seal = new DatagramSeal(Suite, wrongKey, Spec.ClusterName, new NodeId(1), 1);
        var sealedForged = forged.Select(f => (f.From, f.To, Bytes: seal.Seal(TotemCodec.Encode(f.Message), DatagramSeal.Everyone))).ToArray();
        for (var i = 0; i < count; i++)
        {
            var (from, to, bytes) = sealedForged[i % sealedForged.Length];
            attacker.Send(LocalRing.Address(from), to, i % 4 == 0 ? TotemCodec.Encode(forged[i % forged.Count].Message) : bytes);
        }
        return count;
    }
}
