using Totem.Host.Tests.Fixtures;
using Totem.Host.Totemctl;
using Totem.Host.Totemd.ClientSocket;
using Totem.Nodes.Control;
using Totem.Protocol.Client;

namespace Totem.Host.Tests.Totemctl;

/// <summary>`totemctl send --size B [--rate N] [--count C]` through a real client socket over a <see cref="ScriptedNode"/>.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SendStreamCommandTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "totemctl-send-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ScriptedNode _node = new();
    private ClientSocketServer _server = null!;
    private string Socket => Path.Combine(_directory, "client.sock");

    public Task InitializeAsync()
    {
        _server = ClientSocketServer.Bind(_node, Socket, new ClientLimits(ClientFrameCodec.MaxFrameBytes, 8), Serilog.Core.Logger.None);
        _server.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task<(int Code, string Out, string Err)> Run(Func<string, string?> environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await new TotemctlApp(output, error, TotemctlApp.DefaultHttpClient, environment).RunAsync(args, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task It_sends_count_messages_of_size_bytes_and_prints_the_achieved_rate()
    {
        var (code, output, error) = await Run(_ => null, "send", "--size", "100", "--count", "3000", "--socket", Socket);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Matches(@"^sent 3000 messages of 100 B in \d+\.\d{3} s: \d+ msg/s, \d+\.\d\d MiB/s, \d+ batches, 0 TRY_AGAIN\n$", output.Replace("\r", ""));
        Assert.Equal(3000, _node.Submitted.Count);
        Assert.All(_node.Submitted, m => Assert.Equal(100, m.Length));
    }

    [Fact]
    public async Task A_rate_paces_the_stream_and_the_socket_comes_from_the_environment()
    {
        var (code, output, error) = await Run(v => v == TotemctlApp.SocketEnvironmentVariable ? Socket : null, "send", "--size", "8", "--rate", "200", "--count", "40");
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("sent 40 messages of 8 B", output);
        Assert.Contains("(asked 200 msg/s)", output);
        // 40 messages at 200 per second take about 0.2 s: well above what an unpaced burst of 40 takes.
        var seconds = double.Parse(output.Split(" in ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 0.15, 30);
        Assert.True(_node.BatchSizes.Count > 1, "a paced stream goes out in several batches");
    }

    [Theory]
    [InlineData(new[] { "send" }, "either TEXT")]
    [InlineData(new[] { "send", "hello", "--size", "10" }, "either TEXT")]
    [InlineData(new[] { "send", "--rate", "10" }, "--rate and --count go with --size")]
    [InlineData(new[] { "send", "--size", "0" }, "--size must be 1 .. 1048575 bytes")]
    [InlineData(new[] { "send", "--size", "10", "--rate", "-1" }, "--rate must be")]
    public async Task Bad_arguments_are_usage_errors(string[] args, string problem)
    {
        var (code, _, error) = await Run(_ => null, args);
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains(problem, error);
    }

    [Fact]
    public async Task Without_a_socket_or_with_a_dead_one_it_says_where_it_looked()
    {
        var (code, _, error) = await Run(_ => null, "send", "--size", "10");
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains("--socket PATH or $TOTEM_CLIENT_SOCKET", error);

        var missing = Path.Combine(_directory, "nobody.sock");
        (code, _, error) = await Run(_ => null, "send", "--size", "10", "--socket", missing);
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains($"cannot connect to the node's client socket {missing}", error);
    }

    [Fact]
    public async Task A_node_that_refuses_the_batches_as_too_large_ends_the_stream_with_its_reason()
    {
        _node.OnSubmitBatch = _ => SubmitResult.Refused(SubmitRefusal.TooLarge, "message 0 of the batch has 10 bytes, above the limit of 5 bytes");
        var (code, _, error) = await Run(_ => null, "send", "--size", "10", "--count", "5", "--socket", Socket);
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains("above the limit of 5 bytes", error);
    }
}
