using System.Text;
using Totem.Host.Control.Api;
using Totem.Host.Ringbench.LocalRing;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// Messages posted through the members' control APIs during an attack, and the checks on what the ring delivered:
/// everything posted, once, nothing else, in one order on every node (a restarted node: the order's tail).
/// </summary>
internal sealed class Posts(LocalRing ring)
{
    private readonly List<string> _posted = [];
    private readonly Dictionary<int, int> _postedBeforeRestart = new();

    public int Count => _posted.Count;

    public async Task PostAsync(string tag, int perNode)
    {
        var sends = new List<Task>();
        for (var n = 1; n <= ring.Spec.Nodes; n++)
        {
            if (ring.Started.All(p => p.NodeId != n) || ring.Process(n).HasExited) continue;
            for (var i = 0; i < perNode; i++)
            {
                var payload = $"{tag} {n}.{i}";
                _posted.Add(payload);
                sends.Add(ring.Client(n).SendAsync(Encoding.UTF8.GetBytes(payload), CancellationToken.None));
            }
        }
        await Task.WhenAll(sends);
    }

    /// <summary>A node that restarted delivers only what was posted after it came back.</summary>
    public void Restarted(int node) => _postedBeforeRestart[node] = _posted.Count;

    public Task WaitDeliveredAsync(int[] members) =>
        ring.WaitUntilAsync(async () =>
        {
            foreach (var n in members)
                if (await Metrics.CounterAsync(ring, n, "totem_messages_delivered_total") < _posted.Count - _postedBeforeRestart.GetValueOrDefault(n)) return false;
            return true;
        }, RingScenario.Generous, $"every member delivered the {_posted.Count} messages posted");

    public async Task AssertOneOrderAsync(int[] members, int restarted)
    {
        var logs = new Dictionary<int, IReadOnlyList<MessageDto>>();
        foreach (var n in members) logs[n] = (await ring.Client(n).GetMessagesAsync(0, 10_000, CancellationToken.None)).Messages;
        var reference = logs[members[0]];
        Assert.Equal(_posted.Order(StringComparer.Ordinal), reference.Select(m => m.Payload).Order(StringComparer.Ordinal));
        foreach (var n in members.Skip(1))
        {
            var expected = n == restarted ? reference.Skip(reference.Count - logs[n].Count) : reference;
            Assert.Equal(expected.Select(Key), logs[n].Select(Key));
        }
        Assert.True(logs[restarted].Count >= _posted.Count - _postedBeforeRestart[restarted], $"node {restarted} delivered {logs[restarted].Count} after its restart");
    }

    private static string Key(MessageDto m) => $"{m.RingId.Text}/{m.Seq}/{m.Sender}/{m.Payload}";
}
