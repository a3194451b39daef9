using Totem.Protocol.Config;
using static Totem.Protocol.Tests.Config.ConfigTestSupport;

namespace Totem.Protocol.Tests.Config;

/// <summary>knet's 16-bit node ids when peers come from DNS: ids derived from IPv4 addresses do not fit.</summary>
public class DiscoveryIdentityTests
{
    private static ClusterConfig Discovery(string transport, string source) =>
        Load($"totem {{\n  version: 2\n  transport: {transport}\n}}\ndiscovery {{\n  dns_name: node\n  nodeid_source: {source}\n}}\n").Config!;

    [Fact]
    public void Knet_with_ids_from_addresses_is_refused_with_the_way_out()
    {
        var problem = ClusterConfigValidator.DiscoveryIdentityProblem(Discovery("knet", "address"));
        Assert.NotNull(problem);
        Assert.Contains("Knet requires nodeid to be less than 65536", problem);
        Assert.Contains("nodeid_source reverse_dns_replica", problem);
    }

    [Theory]
    [InlineData("knet", "reverse_dns_replica")]
    [InlineData("udpu", "address")]
    [InlineData("udpu", "reverse_dns_replica")]
    public void Replica_indexes_or_a_non_knet_transport_are_fine(string transport, string source) =>
        Assert.Null(ClusterConfigValidator.DiscoveryIdentityProblem(Discovery(transport, source)));

    [Fact]
    public void The_effective_source_counts_not_the_file_alone()
    {
        // The file leaves nodeid_source to totemd's HOCON, whose default is address.
        var config = Discovery("knet", "reverse_dns_replica");
        Assert.Null(ClusterConfigValidator.DiscoveryIdentityProblem(config));
        var effective = config with { Discovery = config.Discovery with { NodeIdSource = NodeIdSource.Address } };
        Assert.NotNull(ClusterConfigValidator.DiscoveryIdentityProblem(effective));
    }

    [Fact]
    public void A_nodelist_gives_its_own_ids()
    {
        var config = Load("totem {\n  version: 2\n  transport: knet\n}\nnodelist {\n  node {\n    nodeid: 1\n    ring0_addr: 10.0.0.1\n  }\n}\n").Config!;
        Assert.Null(ClusterConfigValidator.DiscoveryIdentityProblem(config));
    }
}
