using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using Totem.Host.Control.Api;
using Totem.Nodes.Messages;

namespace Totem.Host.Control.Observer;

/// <summary>
/// The observer plane's wire format, bound by <see cref="ObserverPlane"/>: the control API's JSON (the same
/// EventDto as GET /v1/events), tagged by a short manifest, so a dashboard of another build reads what a node
/// sends as long as the JSON contract holds; no type names travel. A node serializes its own records
/// (<see cref="ObservedEvent"/>, <see cref="RingSample"/>) and a watcher reads them back as the DTOs
/// (<see cref="ObservedEventDto"/>, <see cref="RingSampleDto"/>): only the watcher needs them as data.
/// </summary>
public sealed class ObserverSerializer : SerializerWithStringManifest
{
    /// <summary>Outside Akka's reserved 0..40 and beside totemd's LocalOnlySerializer (1717).</summary>
    public const int Id = 1718;

    public const string SubscribeManifest = "sub";
    public const string UnsubscribeManifest = "unsub";
    public const string EventManifest = "event";
    public const string SampleManifest = "sample";

    public ObserverSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        SubscribeObserver => SubscribeManifest,
        UnsubscribeObserver => UnsubscribeManifest,
        ObservedEvent or ObservedEventDto => EventManifest,
        RingSample or RingSampleDto => SampleManifest,
        _ => throw Unknown(o),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        SubscribeObserver or UnsubscribeObserver => [],
        ObservedEvent e => Json(e.ToDto()),
        ObservedEventDto e => Json(e),
        RingSample s => Json(s.ToDto()),
        RingSampleDto s => Json(s),
        _ => throw Unknown(obj),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            return manifest switch
            {
                SubscribeManifest => SubscribeObserver.Instance,
                UnsubscribeManifest => UnsubscribeObserver.Instance,
                EventManifest => JsonSerializer.Deserialize(bytes, ControlJson.Options.TypeInfo<ObservedEventDto>())
                    ?? throw new System.Runtime.Serialization.SerializationException("observer event: the JSON is null"),
                SampleManifest => JsonSerializer.Deserialize(bytes, ControlJson.Options.TypeInfo<RingSampleDto>())
                    ?? throw new System.Runtime.Serialization.SerializationException("observer sample: the JSON is null"),
                _ => throw new System.Runtime.Serialization.SerializationException($"observer plane: unknown manifest '{manifest}' ({bytes.Length} bytes)"),
            };
        }
        catch (JsonException ex)
        {
            throw new System.Runtime.Serialization.SerializationException($"observer plane: a '{manifest}' message that is not its JSON ({bytes.Length} bytes): {ex.Message}", ex);
        }
    }

    private static byte[] Json<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, ControlJson.Options.TypeInfo<T>());

    private static ArgumentException Unknown(object? o) =>
        new($"the observer serializer does not carry {o?.GetType().FullName ?? "null"}", nameof(o));
}
