using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Totem.Host.Control;

/// <summary>
/// The one JSON setting of the control API: camelCase names, and strict request bodies. The contract's
/// types are described by a source-generated <see cref="ControlJsonContext"/>, not found by reflection:
/// totemd is compiled NativeAOT, where reflection-based serialization is off, and the JIT build then
/// serializes exactly as the native one does.
/// </summary>
public static class ControlJson
{
    /// <summary>For answers (server) and for reading them (client).</summary>
    public static JsonSerializerOptions Options { get; } = Create(strict: false);

    /// <summary>For request bodies: an unknown property is an error, so typos are not silently ignored.</summary>
    public static JsonSerializerOptions StrictOptions { get; } = Create(strict: true);

    /// <summary>The metadata of contract type <typeparamref name="T"/> under <paramref name="options"/> (one of the two above).</summary>
    public static JsonTypeInfo<T> TypeInfo<T>(this JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    private static JsonSerializerOptions Create(bool strict)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = false,
            UnmappedMemberHandling = strict ? JsonUnmappedMemberHandling.Disallow : JsonUnmappedMemberHandling.Skip,
            NumberHandling = JsonNumberHandling.Strict,
            TypeInfoResolver = ControlJsonContext.Default,
        };
        options.MakeReadOnly();
        return options;
    }
}
