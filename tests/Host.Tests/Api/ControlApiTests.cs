using System.Net;
using System.Text;
using System.Text.Json;
using Totem.Host.Tests.Fixtures;
using Totem.Nodes.Control;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Api;

public sealed class ControlApiTests : IAsyncLifetime
{
    private ControlServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ControlServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Json)> Send(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await _server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Status_has_the_documented_camel_case_shape()
    {
        var (status, json) = await Send(HttpMethod.Get, "v1/status");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1u, json.GetProperty("nodeId").GetUInt32());
        Assert.Equal("local-ring", json.GetProperty("clusterName").GetString());
        Assert.Equal("operational", json.GetProperty("state").GetString());
        Assert.Equal(1u, json.GetProperty("ringId").GetProperty("rep").GetUInt32());
        Assert.Equal(0x2cUL, json.GetProperty("ringId").GetProperty("seq").GetUInt64());
        Assert.Equal("1.2c", json.GetProperty("ringId").GetProperty("text").GetString());
        Assert.Equal([1u, 2, 3, 4, 5], json.GetProperty("members").EnumerateArray().Select(e => e.GetUInt32()));
        Assert.True(json.GetProperty("quorate").GetBoolean());
        Assert.Equal(5u, json.GetProperty("totalVotes").GetUInt32());
        Assert.Equal(5u, json.GetProperty("expectedVotes").GetUInt32());
        Assert.Equal(3u, json.GetProperty("quorum").GetUInt32());
        Assert.Equal(["Quorate"], json.GetProperty("flags").EnumerateArray().Select(e => e.GetString()));
        Assert.False(json.GetProperty("watchdog").GetProperty("armed").GetBoolean());
        Assert.Equal("exit", json.GetProperty("watchdog").GetProperty("mode").GetString());
        Assert.Equal(4, json.GetProperty("link").GetProperty("peers").GetArrayLength());
    }

    [Fact]
    public async Task Runtime_filters_by_prefix_in_key_order()
    {
        var (status, json) = await Send(HttpMethod.Get, "v1/runtime?prefix=runtime.config.totem.");
        Assert.Equal(HttpStatusCode.OK, status);
        var entries = json.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["runtime.config.totem.consensus", "runtime.config.totem.token"], entries.Select(e => e.GetProperty("key").GetString()));
        Assert.Equal("u32", entries[1].GetProperty("type").GetString());
        Assert.Equal("4950", entries[1].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Timeouts_are_what_the_node_runs_with_its_node_id_and_fencing()
    {
        // A node that reloaded token 2000 sized for 7 nodes, fencing after 5 s.
        var totem = TotemSettings.Default with { Token = 2000 };
        _server.Node.Timeouts = new RunningTimeouts(TotemTimeouts.Derive(totem, 7), totem, FencingSettings.Default with { TimeoutMs = 5000 });
        var (status, json) = await Send(HttpMethod.Get, "v1/timeouts");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1u, json.GetProperty("node").GetUInt32());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("config").ValueKind);
        Assert.Equal(7, json.GetProperty("nodes").GetInt32());
        Assert.Equal(2000u + 5 * 650u, json.GetProperty("timeouts").GetProperty("token").GetUInt32());
        Assert.Equal(6300u, json.GetProperty("timeouts").GetProperty("consensus").GetUInt32());
        Assert.Equal(5250u + 6300u, json.GetProperty("newMembershipMs").GetUInt32());
        Assert.Equal(5250u + 6300u + 5000u, json.GetProperty("fencingMs").GetUInt32());
    }

    [Fact]
    public async Task Posting_a_message_queues_the_exact_body_and_answers_202_with_its_index()
    {
        var (status, json) = await Send(HttpMethod.Post, "v1/messages", "héllo ring", "text/plain");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(0, json.GetProperty("index").GetInt64());
        Assert.Equal(Encoding.UTF8.GetByteCount("héllo ring"), json.GetProperty("bytes").GetInt32());
        Assert.Equal("héllo ring", Encoding.UTF8.GetString(Assert.Single(_server.Node.Submitted)));
    }

    [Fact]
    public async Task Empty_message_is_a_400_naming_the_body()
    {
        var (status, json) = await Send(HttpMethod.Post, "v1/messages", "", "text/plain");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("request body", json.GetProperty("error").GetString());
        Assert.Empty(_server.Node.Submitted);
    }

    [Fact]
    public async Task Refused_messages_map_to_413_and_503()
    {
        _server.Node.OnSubmit = _ => SubmitResult.Refused(SubmitRefusal.TooLarge, "payload of 70000 bytes exceeds 65000");
        var (tooLarge, json) = await Send(HttpMethod.Post, "v1/messages", "x", "text/plain");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge);
        Assert.Equal("payload of 70000 bytes exceeds 65000", json.GetProperty("error").GetString());
        _server.Node.OnSubmit = _ => SubmitResult.Refused(SubmitRefusal.QueueFull, "send queue full");
        var (full, _) = await Send(HttpMethod.Post, "v1/messages", "x", "text/plain");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full);
    }

    [Fact]
    public async Task A_json_array_is_a_batch_queued_whole_with_the_first_index_and_count()
    {
        _server.Node.Submitted.Add([0]);
        var (status, json) = await Send(HttpMethod.Post, "v1/messages", "[\"héllo\", \"ring\"]");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(1, json.GetProperty("firstIndex").GetInt64());
        Assert.Equal(2, json.GetProperty("count").GetInt32());
        Assert.Equal(Encoding.UTF8.GetByteCount("héllo") + 4, json.GetProperty("bytes").GetInt64());
        Assert.Equal(["héllo", "ring"], _server.Node.Submitted.Skip(1).Select(b => Encoding.UTF8.GetString(b)));
        Assert.Equal([2], _server.Node.BatchSizes);
    }

    [Fact]
    public async Task A_json_array_posted_as_text_is_one_message()
    {
        var (status, _) = await Send(HttpMethod.Post, "v1/messages", "[\"a\"]", "text/plain");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("[\"a\"]", Encoding.UTF8.GetString(Assert.Single(_server.Node.Submitted)));
        Assert.Empty(_server.Node.BatchSizes);
    }

    [Theory]
    [InlineData("[]", "empty batch")]
    [InlineData("[\"a\", \"\"]", "element 1 of the batch is an empty message")]
    [InlineData("[\"a\", 3]", "element 1 of the batch (offset 6) is a number")]
    [InlineData("[\"a\", {}]", "element 1 of the batch (offset 6) is an object")]
    [InlineData("[\"a\"", "invalid JSON")]
    [InlineData("[\"a\"] [\"b\"]", "invalid JSON in the batch body: '[' is invalid after a single JSON value")]
    public async Task A_bad_batch_is_a_400_naming_what_is_wrong_and_nothing_is_queued(string body, string problem)
    {
        var (status, json) = await Send(HttpMethod.Post, "v1/messages", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(problem, json.GetProperty("error").GetString());
        Assert.Empty(_server.Node.Submitted);
    }

    [Fact]
    public async Task A_batch_with_a_message_too_large_or_too_many_messages_is_a_413_and_a_full_queue_a_503()
    {
        var big = new string('x', Totem.Protocol.Client.ClientFrameCodec.MaxMessageBytes + 1);
        var (large, json) = await Send(HttpMethod.Post, "v1/messages", $"[\"a\", \"{big}\"]");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large);
        Assert.Contains("element 1 of the batch has", json.GetProperty("error").GetString());

        var many = "[" + string.Join(",", Enumerable.Repeat("\"m\"", Totem.Protocol.Client.ClientFrameCodec.MaxBatchMessages + 1)) + "]";
        var (tooMany, _) = await Send(HttpMethod.Post, "v1/messages", many);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany);
        Assert.Empty(_server.Node.Submitted);

        _server.Node.OnSubmitBatch = _ => SubmitResult.Refused(SubmitRefusal.QueueFull, "the send queue is full: 2048 of 2048 messages wait");
        var (full, fullJson) = await Send(HttpMethod.Post, "v1/messages", "[\"a\"]");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full);
        Assert.Contains("send queue is full", fullJson.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Messages_are_paged_from_an_index_with_the_payload_as_text()
    {
        for (var i = 0; i < 3; i++)
            _server.Node.Delivered.Add(new DeliveredApplicationMessage(i, new RingId(new NodeId(1), 0x2c), (uint)(10 + i), new NodeId((uint)(i + 2)),
                Encoding.UTF8.GetBytes($"m{i}"), ScriptedNode.Now));
        var (status, json) = await Send(HttpMethod.Get, "v1/messages?from=1&max=5");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, json.GetProperty("from").GetInt64());
        Assert.Equal(3, json.GetProperty("next").GetInt64());
        var messages = json.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["m1", "m2"], messages.Select(m => m.GetProperty("payload").GetString()));
        Assert.Equal(11u, messages[0].GetProperty("seq").GetUInt32());
        Assert.Equal(3u, messages[0].GetProperty("sender").GetUInt32());
        Assert.Equal("1.2c", messages[0].GetProperty("ringId").GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("v1/messages?from=-1", "\"from\"")]
    [InlineData("v1/messages?from=abc", "\"from\"")]
    [InlineData("v1/messages?max=0", "\"max\"")]
    [InlineData("v1/messages?max=100000", "\"max\"")]
    public async Task Bad_message_query_is_a_400_naming_the_parameter(string path, string named)
    {
        var (status, json) = await Send(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(named, json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Reload_answers_every_members_outcome_version_and_detail()
    {
        var (status, json) = await Send(HttpMethod.Post, "v1/config/reload");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, _server.Node.ReloadRequests);
        Assert.True(json.GetProperty("allTook").GetBoolean());
        Assert.Equal(5, json.GetProperty("members").GetArrayLength());
        var node = json.GetProperty("nodes")[0];
        Assert.Equal(1u, node.GetProperty("nodeId").GetUInt32());
        Assert.Equal("applied", node.GetProperty("outcome").GetString());
        Assert.Equal(2ul, node.GetProperty("configVersion").GetUInt64());
        Assert.Contains("totem.token: 3000 -> 5000", node.GetProperty("detail").GetString());
        Assert.Equal(0, json.GetProperty("missing").GetArrayLength());
    }

    [Fact]
    public async Task Expected_votes_are_passed_to_votequorum_and_its_answer_returned()
    {
        var (status, json) = await Send(HttpMethod.Post, "v1/quorum/expected", "{\"votes\": 3}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3u, json.GetProperty("expectedVotes").GetUInt32());
        Assert.Equal(2u, json.GetProperty("quorum").GetUInt32());
        Assert.Equal([3u], _server.Node.ExpectedRequests);
    }

    [Theory]
    [InlineData("{\"votes\": 0}", "at least 1")]
    [InlineData("{\"votes\": -2}", "invalid JSON")]
    [InlineData("{\"votes\": \"three\"}", "invalid JSON")]
    [InlineData("{\"vote\": 3}", "invalid JSON")]
    [InlineData("{}", "missing \"votes\"")]
    [InlineData("{\"votes\": 3", "invalid JSON")]
    [InlineData("null", "JSON object")]
    public async Task Bad_expected_votes_bodies_are_400s_that_say_what_is_wrong(string body, string expected)
    {
        var (status, json) = await Send(HttpMethod.Post, "v1/quorum/expected", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, json.GetProperty("error").GetString());
        Assert.Empty(_server.Node.ExpectedRequests);
    }

    [Fact]
    public async Task Refused_expected_votes_is_a_409_with_votequorum_s_reason()
    {
        _server.Node.OnExpected = _ => SetExpectedVotesResult.Refused("expected votes 1 is below the 3 votes of the current members");
        var (status, json) = await Send(HttpMethod.Post, "v1/quorum/expected", "{\"votes\": 1}");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("below the 3 votes", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Faults_are_set_per_field_for_all_or_one_peer_and_cleared()
    {
        var (s1, all) = await Send(HttpMethod.Post, "v1/faults", "{\"delayMs\": 20, \"jitterMs\": 5}");
        Assert.Equal(HttpStatusCode.OK, s1);
        Assert.Equal(20u, all.GetProperty("all").GetProperty("delayMs").GetUInt32());
        var (s2, _) = await Send(HttpMethod.Post, "v1/faults", "{\"lossPercent\": 10}");
        Assert.Equal(HttpStatusCode.OK, s2);
        Assert.Equal(new LinkFault(20, 5, 10), _server.Node.GetFaults().All);

        var (s3, peer) = await Send(HttpMethod.Post, "v1/faults", "{\"peer\": 3, \"lossPercent\": 50}");
        Assert.Equal(HttpStatusCode.OK, s3);
        var entry = Assert.Single(peer.GetProperty("peers").EnumerateArray().ToList());
        Assert.Equal(3u, entry.GetProperty("peer").GetUInt32());
        Assert.Equal(50, entry.GetProperty("lossPercent").GetDouble());
        Assert.Equal(new LinkFault(20, 5, 50), _server.Node.GetFaults().For(new NodeId(3)));

        var (s4, _) = await Send(HttpMethod.Delete, "v1/faults?peer=3");
        Assert.Equal(HttpStatusCode.OK, s4);
        Assert.Equal(new LinkFault(20, 5, 10), _server.Node.GetFaults().For(new NodeId(3)));
        var (s5, cleared) = await Send(HttpMethod.Delete, "v1/faults");
        Assert.Equal(HttpStatusCode.OK, s5);
        Assert.True(_server.Node.GetFaults().IsNone);
        Assert.Equal(0, cleared.GetProperty("peers").GetArrayLength());
    }

    [Fact]
    public async Task A_link_fault_is_set_and_cleared_on_its_own_and_a_link_the_node_lacks_is_a_400()
    {
        var (s1, set) = await Send(HttpMethod.Post, "v1/faults", "{\"link\": 0, \"lossPercent\": 100}");
        Assert.Equal(HttpStatusCode.OK, s1);
        var link = Assert.Single(set.GetProperty("links").EnumerateArray().ToList());
        Assert.Equal(0u, link.GetProperty("link").GetUInt32());
        Assert.Equal(100, link.GetProperty("lossPercent").GetDouble());
        Assert.Equal(new LinkFault(0, 0, 100), _server.Node.GetFaults().ForLink(0));
        Assert.Equal(LinkFault.None, _server.Node.GetFaults().All);
        var (s2, _) = await Send(HttpMethod.Post, "v1/faults", "{\"link\": 1, \"delayMs\": 20}");
        Assert.Equal(HttpStatusCode.OK, s2);

        var (s3, _) = await Send(HttpMethod.Delete, "v1/faults?link=0");
        Assert.Equal(HttpStatusCode.OK, s3);
        Assert.Equal(LinkFault.None, _server.Node.GetFaults().ForLink(0));
        Assert.Equal(new LinkFault(20, 0, 0), _server.Node.GetFaults().ForLink(1));

        var (s4, refused) = await Send(HttpMethod.Post, "v1/faults", "{\"link\": 5, \"lossPercent\": 100}");
        Assert.Equal(HttpStatusCode.BadRequest, s4);
        Assert.Contains("link 5: this node has no such link", refused.GetProperty("error").GetString());
        var (s5, both) = await Send(HttpMethod.Post, "v1/faults", "{\"peer\": 2, \"link\": 0, \"lossPercent\": 100}");
        Assert.Equal(HttpStatusCode.BadRequest, s5);
        Assert.Contains("do not go together", both.GetProperty("error").GetString());
        var (s6, badQuery) = await Send(HttpMethod.Delete, "v1/faults?link=x");
        Assert.Equal(HttpStatusCode.BadRequest, s6);
        Assert.Contains("\"link\" must be a link number", badQuery.GetProperty("error").GetString());
        Assert.Equal(new LinkFault(20, 0, 0), _server.Node.GetFaults().ForLink(1));

        var (s7, _) = await Send(HttpMethod.Delete, "v1/faults");
        Assert.Equal(HttpStatusCode.OK, s7);
        Assert.True(_server.Node.GetFaults().IsNone);
    }

    [Theory]
    [InlineData("{\"lossPercent\": 150}", "outside 0..100")]
    [InlineData("{\"delayMs\": 600000}", "above the maximum")]
    [InlineData("{\"peer\": 3}", "at least one of")]
    [InlineData("{\"peer\": 1, \"delayMs\": 5}", "is this node")]
    [InlineData("{\"corrupt\": 5}", "invalid JSON")]
    [InlineData("[1,2]", "invalid JSON")]
    public async Task Unknown_or_invalid_fault_forms_are_400s(string body, string expected)
    {
        var (status, json) = await Send(HttpMethod.Post, "v1/faults", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, json.GetProperty("error").GetString());
        Assert.True(_server.Node.GetFaults().IsNone);
    }

    [Fact]
    public async Task Unknown_endpoint_is_a_json_404()
    {
        var (status, json) = await Send(HttpMethod.Get, "v2/status");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("/v2/status", json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("PUT", "v1/status")]
    [InlineData("HEAD", "v1/faults")]
    [InlineData("GET", "v1/quorum/expected")]
    [InlineData("GET", "v1/config/reload")]
    [InlineData("GET", "v1")]
    [InlineData("GET", "")]
    public async Task A_route_without_that_method_or_no_route_is_the_fallback_json_404(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        if (method != "HEAD")
            Assert.Contains($"no such endpoint: {method} /{path}", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("V1/Status")]
    [InlineData("v1/status/")]
    public async Task Routes_match_as_endpoint_routing_does_case_insensitive_and_with_a_trailing_slash(string path)
    {
        var (status, json) = await Send(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(json.TryGetProperty("nodeId", out _));
    }

    [Fact]
    public async Task A_file_like_path_is_an_empty_404_as_the_nonfile_fallback_left_it()
    {
        using var response = await _server.Http.GetAsync("favicon.ico");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_ring_quorum_and_counter_samples()
    {
        using var response = await _server.Http.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split('\n');
        Assert.Contains("totem_members 5", lines);
        Assert.Contains("totem_quorate 1", lines);
        Assert.Contains("totem_quorum_expected_votes 5", lines);
        Assert.Contains("totem_token_rotation_milliseconds 812.5", lines);
        Assert.Contains("totem_token_losses_total 2", lines);
        Assert.Contains("totem_membership_changes_total 3", lines);
        Assert.Contains("totem_retransmits_total 4", lines);
        Assert.Contains("totem_datagrams_rejected_unlisted_total 3", lines);
        Assert.Contains("totem_ring_state{state=\"operational\"} 1", lines);
        Assert.Contains("totem_ring_state{state=\"gather\"} 0", lines);
        Assert.Contains("# TYPE totem_token_losses_total counter", lines);
    }

    [Fact]
    public async Task Events_stream_as_server_sent_events_with_type_and_json_data()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var response = await _server.Http.GetAsync("v1/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        _server.Node.Publish(new MembershipFormed(ScriptedNode.Now, new RingId(new NodeId(1), 0x30),
            ValueList.Of(new NodeId(1), new NodeId(2), new NodeId(3), new NodeId(4)), ValueList<NodeId>.Empty, ValueList.Of(new NodeId(5))));
        await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
        using var reader = new StreamReader(stream);
        Assert.Equal(": connected", await reader.ReadLineAsync(cts.Token));
        Assert.Equal("", await reader.ReadLineAsync(cts.Token));
        var eventLine = await reader.ReadLineAsync(cts.Token);
        var dataLine = await reader.ReadLineAsync(cts.Token);
        Assert.Equal("event: membershipFormed", eventLine);
        Assert.StartsWith("data: ", dataLine);
        var data = JsonDocument.Parse(dataLine!["data: ".Length..]).RootElement;
        Assert.Equal("membershipFormed", data.GetProperty("type").GetString());
        Assert.Equal("A new membership (1.30) was formed. Members left: 5", data.GetProperty("summary").GetString());
        Assert.Equal([5u], data.GetProperty("left").EnumerateArray().Select(e => e.GetUInt32()));
        Assert.False(data.TryGetProperty("deadline", out _));
    }
}
