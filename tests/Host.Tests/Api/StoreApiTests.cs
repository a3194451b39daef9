using System.Net;
using System.Text;
using System.Text.Json;
using Totem.Host.Tests.Fixtures;
using Totem.Host.Totemctl;
using Totem.Nodes.Control;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Api;

/// <summary>/v1/store and `totemctl store` over the scripted node's store (the node's own store is tested in Actors.Tests and MultiProcess.Tests).</summary>
public sealed class StoreApiTests : IAsyncLifetime
{
    private ControlServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ControlServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Json)> Send(HttpMethod method, string path, string? body = null, (string, string)? header = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (header is { } h) request.Headers.TryAddWithoutValidation(h.Item1, h.Item2);
        using var response = await _server.Http.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private Task<(int Code, string Out, string Err)> Run(params string[] args) => _server.RunTotemctlAsync(args);

    [Fact]
    public async Task Status_shows_the_store_and_whether_a_write_is_sent_or_refused_at_once()
    {
        Assert.Equal(JsonValueKind.Null, (await Send(HttpMethod.Get, "v1/status")).Json.GetProperty("store").ValueKind);

        _server.Node.Status = ScriptedNode.FiveNodeRing(quorate: false) with
        {
            Store = new StoreSnapshot(3, 9, new RingId(new NodeId(1), 0x28), Quorate: false, Synchronized: true),
        };
        var (status, json) = await Send(HttpMethod.Get, "v1/status");
        Assert.Equal(HttpStatusCode.OK, status);
        var store = json.GetProperty("store");
        Assert.Equal(3, store.GetProperty("keys").GetInt32());
        Assert.Equal(9UL, store.GetProperty("version").GetUInt64());
        Assert.Equal("1.28", store.GetProperty("epoch").GetProperty("text").GetString());
        Assert.False(store.GetProperty("quorate").GetBoolean());
        Assert.True(store.GetProperty("synchronized").GetBoolean());
        Assert.False(store.GetProperty("writable").GetBoolean());
    }

    [Fact]
    public async Task Put_get_list_and_delete_a_key_with_versions()
    {
        var (put, written) = await Send(HttpMethod.Put, "v1/store/cluster/name", "lab");
        Assert.Equal(HttpStatusCode.OK, put);
        Assert.Equal("/cluster/name", written.GetProperty("path").GetString());
        Assert.Equal(1UL, written.GetProperty("version").GetUInt64());

        var (get, entry) = await Send(HttpMethod.Get, "v1/store/cluster/name");
        Assert.Equal(HttpStatusCode.OK, get);
        Assert.Equal("lab", Encoding.UTF8.GetString(entry.GetProperty("value").GetBytesFromBase64()));
        Assert.Equal(1UL, entry.GetProperty("version").GetUInt64());
        Assert.True(entry.GetProperty("quorate").GetBoolean());

        var (ls, list) = await Send(HttpMethod.Get, "v1/store?list");
        Assert.Equal(HttpStatusCode.OK, ls);
        var child = Assert.Single(list.GetProperty("children").EnumerateArray());
        Assert.Equal("cluster", child.GetProperty("name").GetString());
        Assert.True(child.GetProperty("directory").GetBoolean());

        var (del, removed) = await Send(HttpMethod.Delete, "v1/store/cluster/name");
        Assert.Equal(HttpStatusCode.OK, del);
        Assert.Equal(2UL, removed.GetProperty("storeVersion").GetUInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "v1/store/cluster/name")).Status);
    }

    [Fact]
    public async Task Without_quorum_a_write_is_a_503_with_pmxcfs_wording_and_reads_still_work()
    {
        await Send(HttpMethod.Put, "v1/store/a", "1");
        _server.Node.StoreQuorate = false;
        var (status, json) = await Send(HttpMethod.Put, "v1/store/a", "2");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("cluster not ready - no quorum?", json.GetProperty("error").GetString());
        var (get, entry) = await Send(HttpMethod.Get, "v1/store/a");
        Assert.Equal(HttpStatusCode.OK, get);
        Assert.False(entry.GetProperty("quorate").GetBoolean());
        Assert.Equal("1", Encoding.UTF8.GetString(entry.GetProperty("value").GetBytesFromBase64()));

        var (code, _, err) = await Run("store", "put", "/a", "3");
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains("cluster not ready - no quorum?", err);
    }

    [Fact]
    public async Task Conditional_writes_map_to_412_and_tree_refusals_to_409_and_bad_paths_to_400()
    {
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Put, "v1/store/cfg", "x", ("If-None-Match", "*"))).Status);
        var (again, conflict) = await Send(HttpMethod.Put, "v1/store/cfg", "y", ("If-None-Match", "*"));
        Assert.Equal(HttpStatusCode.PreconditionFailed, again);
        Assert.Contains("'/cfg' is at version 1", conflict.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Put, "v1/store/cfg", "z", ("If-Match", "\"1\""))).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Put, "v1/store/cfg/below", "v")).Status);
        var (bad, error) = await Send(HttpMethod.Put, "v1/store/cfg", "v", ("If-Match", "latest"));
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Contains("If-Match must be a key version", error.GetProperty("error").GetString());
        var (badPath, pathError) = await Send(HttpMethod.Put, "v1/store/a%01b", "v");
        Assert.Equal(HttpStatusCode.BadRequest, badPath);
        Assert.Contains("store path", pathError.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Send(HttpMethod.Post, "v1/store/cfg", "v")).Status);
    }

    [Fact]
    public async Task Totemctl_store_puts_gets_lists_and_removes()
    {
        var put = await Run("store", "put", "/nodes/n1/role", "primary");
        Assert.Equal(ExitCodes.Ok, put.Code);
        Assert.Contains("/nodes/n1/role: written, key version 1, store version 1", put.Out);
        var get = await Run("store", "get", "/nodes/n1/role");
        Assert.Equal(ExitCodes.Ok, get.Code);
        Assert.Equal("primary", get.Out.Trim());
        Assert.Contains("quorate", get.Err);
        var ls = await Run("store", "ls", "/nodes/n1");
        Assert.Contains("role  (version 1, 7 bytes)", ls.Out);
        var conflict = await Run("store", "put", "/nodes/n1/role", "x", "--if-version", "5");
        Assert.Equal(ExitCodes.UsageOrConnection, conflict.Code);
        Assert.Contains("expected version 5", conflict.Err);
        var rm = await Run("store", "rm", "/nodes/n1/role");
        Assert.Contains("removed, key version 2", rm.Out);
    }
}
