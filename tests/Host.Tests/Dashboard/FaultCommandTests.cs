using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Totem.Host.Dashboard;
using Totem.Host.Dashboard.Web;

namespace Totem.Host.Tests.Dashboard;

public sealed class FaultCommandTests
{
    private static FaultCommand? Parse(string query, out string? error) =>
        FaultCommand.Parse(new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query)), out error);

    [Theory]
    [InlineData("?kind=delay&node=3&ms=200", "delay", 3u, 200u, null)]
    [InlineData("?kind=loss&node=1&percent=30.5", "loss", 1u, null, 30.5)]
    [InlineData("?kind=delay&node=3&ms=1.5s", "delay", 3u, 1500u, null)]
    [InlineData("?kind=loss&node=1&percent=30%25", "loss", 1u, null, 30.0)]
    [InlineData("?kind=partition&node=2", "partition", 2u, null, null)]
    [InlineData("?kind=heal", "heal", null, null, null)]
    public void A_fault_buttons_request_is_read(string query, string kind, uint? node, uint? ms, double? percent)
    {
        Assert.Equal(new FaultCommand(kind, node, ms, percent), Parse(query, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("?kind=explode&node=1", "kind: expected one of delay, loss, partition, heal, but 'explode'")]
    [InlineData("?node=1", "kind: expected one of")]
    [InlineData("?kind=delay&ms=100", "node: missing")]
    [InlineData("?kind=delay&node=0&ms=100", "node: expected a node id")]
    [InlineData("?kind=delay&node=x&ms=100", "but 'x' was given")]
    [InlineData("?kind=delay&node=1", "ms: missing")]
    [InlineData("?kind=delay&node=1&ms=70000", "ms: delay 70000 ms is above the maximum of 60000 ms")]
    [InlineData("?kind=delay&node=1&ms=soon", "ms: 'soon' is not a duration")]
    [InlineData("?kind=loss&node=1&percent=120", "percent: '120' is not a percentage between 0 and 100")]
    [InlineData("?kind=loss&node=1&percent=-1", "percent: '-1' is not a percentage between 0 and 100")]
    [InlineData("?kind=partition&node=1&ms=5", "ms: only kind delay takes it")]
    [InlineData("?kind=heal&colour=red", "unknown parameter 'colour'")]
    [InlineData("?kind=heal&kind=loss", "parameter 'kind' is given more than once")]
    public void A_bad_parameter_is_refused_naming_it(string query, string expected)
    {
        Assert.Null(Parse(query, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("127.0.0.3:7405", "127.0.0.3", 7405)]
    [InlineData("127.0.0.3", "127.0.0.3", 7405)]
    [InlineData("node-1:7500", "node-1", 7500)]
    [InlineData("[::1]:7405", "::1", 7405)]
    public void A_node_address_is_read(string text, string host, int port)
    {
        Assert.Equal(new NodeTarget(host, port), NodeTarget.Parse(text, 7405, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("node:0", "port after ':' must be from 1 to 65535")]
    [InlineData("node:http", "port after ':'")]
    [InlineData("no de:7405", "neither an IP address nor a host name")]
    public void A_bad_node_address_is_refused(string text, string expected)
    {
        Assert.Null(NodeTarget.Parse(text, 7405, out var error));
        Assert.Contains(expected, error);
    }
}
