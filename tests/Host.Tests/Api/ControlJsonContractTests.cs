using System.Text.Json;
using Totem.Host.Control;
using Totem.Host.Control.Api;

namespace Totem.Host.Tests.Api;

/// <summary>
/// totemd runs NativeAOT, where System.Text.Json has no reflection: every contract type must come from
/// the source-generated context, or its endpoint answers 500 in the native build only.
/// </summary>
public sealed class ControlJsonContractTests
{
    public static TheoryData<Type> ContractTypes()
    {
        var data = new TheoryData<Type>();
        foreach (var type in typeof(StatusDto).Assembly.GetTypes()
                     .Where(t => t.IsPublic && t.Namespace == typeof(StatusDto).Namespace && !t.IsAbstract && (t.Name.EndsWith("Dto") || t.Name.EndsWith("Request")))
                     .OrderBy(t => t.Name, StringComparer.Ordinal))
            data.Add(type);
        return data;
    }

    [Theory]
    [MemberData(nameof(ContractTypes))]
    public void Every_contract_type_has_generated_metadata_under_both_options(Type type)
    {
        foreach (var options in new[] { ControlJson.Options, ControlJson.StrictOptions })
        {
            var info = options.GetTypeInfo(type);
            Assert.Equal(type, info.Type);
            Assert.Equal(System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object, info.Kind);
        }
    }

    [Fact]
    public void The_contract_types_are_found()
    {
        // Guards the theory above against a namespace move that would leave it with nothing to check.
        var found = ContractTypes().Count;
        Assert.True(found >= 15, $"only {found} contract types found");
    }

    [Fact]
    public void Reflection_is_not_the_fallback()
    {
        // A type outside the contract must fail here as it would in the native build, not quietly work in the JIT one.
        Assert.Throws<NotSupportedException>(() => JsonSerializer.Serialize(new Uri("http://x/"), ControlJson.Options));
    }

    [Fact]
    public void Strict_request_bodies_still_refuse_unknown_properties()
    {
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("{\"votes\":3,\"vote\":4}", ControlJson.StrictOptions.TypeInfo<ExpectedVotesRequest>()));
        Assert.Contains("vote", ex.Message);
        Assert.Equal(3u, JsonSerializer.Deserialize("{\"votes\":3}", ControlJson.StrictOptions.TypeInfo<ExpectedVotesRequest>())!.Votes);
    }
}
