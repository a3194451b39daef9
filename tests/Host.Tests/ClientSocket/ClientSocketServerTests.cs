using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Totem.Client;
using Totem.Host.Tests.Fixtures;
using Totem.Host.Totemd.ClientSocket;
using Totem.Nodes.Control;
using Totem.Protocol.Client;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.ClientSocket;

/// <summary>The client socket over a <see cref="ScriptedNode"/>: batches, TRY_AGAIN, subscriptions, and every kind of bad input.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ClientSocketServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "totem-client-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ScriptedNode _node = new();
    private ClientSocketServer _server = null!;
    private string _path = "";

    public Task InitializeAsync() => StartAsync(new ClientLimits(ClientFrameCodec.MaxFrameBytes, 8));

    private async Task StartAsync(ClientLimits limits)
    {
        if (_server is not null) await _server.DisposeAsync();
        _path = Path.Combine(_directory, "client.sock");
        _server = ClientSocketServer.Bind(_node, _path, limits, Serilog.Core.Logger.None);
        _server.Start();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private Task<TotemClient> Connect() => TotemClient.ConnectAsync(_path, CancellationToken.None);

    private static ReadOnlyMemory<byte>[] Texts(params string[] texts) => texts.Select(t => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(t)).ToArray();

    /// <summary>A raw connection for bytes no well-behaved client sends.</summary>
    private async Task<Socket> RawAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_path));
        return socket;
    }

    /// <summary>The next frame the node sends on a raw connection; null when it closed the connection.</summary>
    private static async Task<ClientFrame?> ReadFrameAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(Wait);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var prefix = new byte[4];
        if (await stream.ReadAtLeastAsync(prefix, 4, throwOnEndOfStream: false, cts.Token) < 4) return null;
        var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(prefix)];
        await stream.ReadExactlyAsync(body, cts.Token);
        var decoded = ClientFrameCodec.Decode(body);
        Assert.True(decoded.IsSuccess, decoded.Detail);
        return decoded.Frame;
    }

    /// <summary>The node answers bad input with one error frame and closes: the next read finds the end.</summary>
    private static async Task<ClientError> ErrorThenClosedAsync(Socket socket)
    {
        var error = Assert.IsType<ClientError>(await ReadFrameAsync(socket));
        Assert.Null(await ReadFrameAsync(socket));
        return error;
    }

    /// <summary>Another client is served as before: what bad input must never change.</summary>
    private async Task AnotherClientIsServedAsync()
    {
        await using var other = await Connect();
        var before = _node.Submitted.Count;
        var answer = await other.MulticastAsync(Texts("still here"), CancellationToken.None);
        Assert.True(answer.Accepted);
        Assert.Equal(before, answer.FirstIndex);
        Assert.Equal("still here", Encoding.UTF8.GetString(_node.Submitted[^1]));
    }

    [Fact]
    public async Task Batches_are_queued_in_order_and_answered_with_their_first_index()
    {
        await using var client = await Connect();
        var first = client.MulticastAsync(Texts("a", "b"), CancellationToken.None);
        var second = client.MulticastAsync(Texts("c"), CancellationToken.None);
        Assert.Equal(BatchAnswer.Queued(0), await first);
        Assert.Equal(BatchAnswer.Queued(2), await second);
        Assert.Equal(["a", "b", "c"], _node.Submitted.Select(b => Encoding.UTF8.GetString(b)));
        Assert.Equal([2, 1], _node.BatchSizes);
    }

    [Fact]
    public async Task A_full_queue_is_try_again_for_that_batch_and_the_next_batch_goes_in()
    {
        await using var client = await Connect();
        _node.OnSubmitBatch = _ => SubmitResult.Refused(SubmitRefusal.QueueFull, "the send queue is full: 2048 of 2048 messages wait for the token");
        var refused = await client.MulticastAsync(Texts("x"), CancellationToken.None);
        Assert.False(refused.Accepted);
        Assert.Contains("send queue is full", refused.TryAgainReason);
        Assert.Empty(_node.Submitted);

        _node.OnSubmitBatch = p =>
        {
            _node.Submitted.AddRange(p.Select(m => m.ToArray()));
            return SubmitResult.Queued(0);
        };
        Assert.True((await client.MulticastAsync(Texts("x"), CancellationToken.None)).Accepted);
        Assert.Single(_node.Submitted);
    }

    [Fact]
    public async Task The_pump_resends_a_try_again_batch_until_every_message_is_queued()
    {
        await using var client = await Connect();
        var refusals = 3;
        _node.OnSubmitBatch = p =>
        {
            if (refusals-- > 0) return SubmitResult.Refused(SubmitRefusal.QueueFull, "full");
            var first = _node.Submitted.Count;
            _node.Submitted.AddRange(p.Select(m => m.ToArray()));
            return SubmitResult.Queued(first);
        };
        var report = await MessagePump.RunAsync(client, new PumpOptions(500, 0, MaxBatchMessages: 64, Window: 4), i => Encoding.UTF8.GetBytes($"m{i}"), null, CancellationToken.None);
        Assert.Equal(500, report.Accepted);
        Assert.Equal(3, report.TryAgains);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"m{i}").Order(), _node.Submitted.Select(b => Encoding.UTF8.GetString(b)).Order());
    }

    [Fact]
    public async Task A_subscriber_gets_deliveries_and_configuration_changes_in_the_node_s_order()
    {
        await using var client = await Connect();
        var ring = new RingId(new NodeId(1), 8);
        _node.Deliver(new DeliveredApplicationMessage(0, ring, 1, new NodeId(2), Encoding.UTF8.GetBytes("before"), ScriptedNode.Now));
        Assert.Equal(1, await client.SubscribeAsync(SubscribeTo.Messages | SubscribeTo.ConfigurationChanges, CancellationToken.None));

        _node.Deliver(new DeliveredApplicationMessage(1, ring, 2, new NodeId(2), Encoding.UTF8.GetBytes("one"), ScriptedNode.Now));
        var next = new RingId(new NodeId(1), 12);
        _node.Configure(new MembershipFormed(ScriptedNode.Now, next, ValueList.Of(new NodeId(1), new NodeId(3)), ValueList.Of(new NodeId(3)), ValueList.Of(new NodeId(2))));
        _node.Deliver(new DeliveredApplicationMessage(2, next, 1, new NodeId(3), Encoding.UTF8.GetBytes("two"), ScriptedNode.Now));

        var seen = new List<string>();
        using var cts = new CancellationTokenSource(Wait);
        while (seen.Count < 3)
        {
            switch (await client.Deliveries.ReadAsync(cts.Token))
            {
                case DeliveredBatch batch:
                    seen.AddRange(batch.Messages.Select(m => $"{m.Index}:{m.RingId}/{m.Seq} from {m.Sender}: {Encoding.UTF8.GetString(m.Payload.Span)}"));
                    break;
                case ConfigurationChange change:
                    seen.Add($"ring {change.RingId} members {string.Join(",", change.Members)} joined {string.Join(",", change.Joined)} left {string.Join(",", change.Left)}");
                    break;
            }
        }
        Assert.Equal([
            $"1:{ring}/2 from 2: one",
            $"ring {next} members 1,3 joined 3 left 2",
            $"2:{next}/1 from 3: two",
        ], seen);
    }

    [Fact]
    public async Task A_subscriber_that_fell_behind_the_log_is_told_and_dropped()
    {
        await using var client = await Connect();
        await client.SubscribeAsync(SubscribeTo.Messages, CancellationToken.None);
        _node.ForgetBefore = 1;
        _node.Deliver(new DeliveredApplicationMessage(0, new RingId(new NodeId(1), 8), 1, new NodeId(2), new byte[] { 1 }, ScriptedNode.Now));
        using var cts = new CancellationTokenSource(Wait);
        // ReadAsync wraps the reason the channel ended in a ChannelClosedException; WaitToReadAsync throws it as it is.
        var error = await Assert.ThrowsAsync<TotemClientException>(async () => await client.Deliveries.WaitToReadAsync(cts.Token));
        Assert.Equal(ClientErrorCode.FellBehind, error.Code);
        Assert.Contains("fell behind", error.Message);
    }

    [Fact]
    public async Task A_malformed_frame_gets_an_error_naming_the_field_and_the_client_is_dropped()
    {
        using var socket = await RawAsync();
        // A batch of one message whose length says 10 bytes but the frame carries 2.
        await socket.SendAsync(new byte[] { 0, 0, 0, 16, ClientFrameCodec.Version, 0x01, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 10, 1, 2 });
        var error = await ErrorThenClosedAsync(socket);
        Assert.Equal(ClientErrorCode.MalformedFrame, error.Code);
        Assert.Contains("messages[0]", error.Message);
        Assert.Empty(_node.Submitted);
        await AnotherClientIsServedAsync();
    }

    [Fact]
    public async Task An_unknown_frame_type_and_a_node_s_frame_sent_by_a_client_are_refused()
    {
        using (var socket = await RawAsync())
        {
            await socket.SendAsync(new byte[] { 0, 0, 0, 2, ClientFrameCodec.Version, 0x7f });
            var error = await ErrorThenClosedAsync(socket);
            Assert.Equal(ClientErrorCode.UnknownFrameType, error.Code);
            Assert.Contains("0x7f", error.Message);
        }
        using (var socket = await RawAsync())
        {
            await socket.SendAsync(ClientFrameCodec.Encode(new Subscribed(3)));
            var error = await ErrorThenClosedAsync(socket);
            Assert.Equal(ClientErrorCode.UnknownFrameType, error.Code);
            Assert.Contains("Subscribed", error.Message);
        }
        using (var socket = await RawAsync())
        {
            await socket.SendAsync(new byte[] { 0, 0, 0, 2, 9, 0x01 });
            Assert.Equal(ClientErrorCode.UnsupportedVersion, (await ErrorThenClosedAsync(socket)).Code);
        }
        await AnotherClientIsServedAsync();
    }

    [Fact]
    public async Task An_oversize_message_or_frame_is_refused_before_its_bytes_are_read()
    {
        using (var socket = await RawAsync())
        {
            // One message announced at 1 MiB: above the limit (1 MiB less the service byte); its bytes never follow.
            var head = new byte[18];
            BinaryPrimitives.WriteUInt32BigEndian(head, 14 + ClientFrameCodec.MaxMessageBytes + 1);
            head[4] = ClientFrameCodec.Version;
            head[5] = 0x01;
            BinaryPrimitives.WriteUInt32BigEndian(head.AsSpan(10), 1);
            BinaryPrimitives.WriteUInt32BigEndian(head.AsSpan(14), ClientFrameCodec.MaxMessageBytes + 1);
            await socket.SendAsync(head);
            await socket.SendAsync(new byte[ClientFrameCodec.MaxMessageBytes + 1]);
            var error = await ErrorThenClosedAsync(socket);
            Assert.Equal(ClientErrorCode.TooLarge, error.Code);
            Assert.Contains($"above the limit of {ClientFrameCodec.MaxMessageBytes} bytes", error.Message);
        }
        using (var socket = await RawAsync())
        {
            await socket.SendAsync(new byte[] { 0x7f, 0xff, 0xff, 0xff });
            var error = await ErrorThenClosedAsync(socket);
            Assert.Equal(ClientErrorCode.TooLarge, error.Code);
            Assert.Contains("frame length 2147483647", error.Message);
        }
        Assert.Empty(_node.Submitted);
        await AnotherClientIsServedAsync();
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_frame_is_dropped_and_nothing_of_the_frame_is_queued()
    {
        await using var subscriber = await Connect();
        await subscriber.SubscribeAsync(SubscribeTo.Messages, CancellationToken.None);
        using (var socket = await RawAsync())
        {
            var frame = ClientFrameCodec.Encode(new MulticastBatch(1, Texts("never whole")));
            await socket.SendAsync(frame.AsMemory(0, frame.Length - 3));
            socket.Shutdown(SocketShutdown.Both);
        }
        await AnotherClientIsServedAsync();
        Assert.Equal(["still here"], _node.Submitted.Select(b => Encoding.UTF8.GetString(b)));
        _node.Deliver(new DeliveredApplicationMessage(0, new RingId(new NodeId(1), 8), 1, new NodeId(1), Encoding.UTF8.GetBytes("after"), ScriptedNode.Now));
        using var cts = new CancellationTokenSource(Wait);
        var batch = Assert.IsType<DeliveredBatch>(await subscriber.Deliveries.ReadAsync(cts.Token));
        Assert.Equal("after", Encoding.UTF8.GetString(Assert.Single(batch.Messages).Payload.Span));
    }

    [Fact]
    public async Task The_bytes_waiting_for_answers_are_bounded_the_reader_waits_and_nothing_is_lost()
    {
        // Room for three frames of a 1 MiB message each, not four.
        await StartAsync(new ClientLimits(ClientFrameCodec.MaxFrameBytes, 8));
        _node.HoldSubmits = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = await Connect();
        var big = new byte[ClientFrameCodec.MaxMessageBytes];
        var answers = Enumerable.Range(0, 6).Select(_ => client.MulticastAsync([big], CancellationToken.None)).ToArray();

        using (var cts = new CancellationTokenSource(Wait))
            while (_node.BatchSizes.Count < 3) await Task.Delay(10, cts.Token);
        // Held answers keep the budget spent: the fourth batch is not read while they wait.
        await Task.Delay(300);
        Assert.Equal(3, _node.BatchSizes.Count);

        _node.HoldSubmits.SetResult();
        var results = await Task.WhenAll(answers).WaitAsync(Wait);
        Assert.All(results, r => Assert.True(r.Accepted));
        Assert.Equal(6, _node.Submitted.Count);
    }

    [Fact]
    public async Task A_stale_socket_file_is_replaced_and_a_live_one_or_a_regular_file_is_refused()
    {
        var live = Assert.Throws<IOException>(() => ClientSocketServer.Bind(_node, _path, new ClientLimits(ClientFrameCodec.MaxFrameBytes, 8), Serilog.Core.Logger.None));
        Assert.Contains("another process is listening", live.Message);
        Assert.Contains(_path, live.Message);

        var file = Path.Combine(_directory, "not-a-socket");
        await File.WriteAllTextAsync(file, "");
        var regular = Assert.Throws<IOException>(() => ClientSocketServer.Bind(_node, file, new ClientLimits(ClientFrameCodec.MaxFrameBytes, 8), Serilog.Core.Logger.None));
        Assert.Contains("not a socket", regular.Message);
        Assert.True(File.Exists(file));

        // A socket file left by a node that died: bound and served again.
        var stale = Path.Combine(_directory, "stale.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            dead.Bind(new UnixDomainSocketEndPoint(stale));
        await using var again = ClientSocketServer.Bind(_node, stale, new ClientLimits(ClientFrameCodec.MaxFrameBytes, 8), Serilog.Core.Logger.None);
        again.Start();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(stale));
        await using var client = await TotemClient.ConnectAsync(stale, CancellationToken.None);
        Assert.True((await client.MulticastAsync(Texts("x"), CancellationToken.None)).Accepted);
    }
}
