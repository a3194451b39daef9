using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace Totem.Host.Totemd;

/// <summary>
/// What Akka's "json" serializer alias (bound to System.Object) names in totemd's reference.conf,
/// instead of Akka's NewtonSoftJsonSerializer: a node's actors are all local, in one ActorSystem
/// per process, and nothing is ever serialized (no remoting, serialize-messages off). Akka
/// creates every configured serializer with the system, so its default one loads and sets up
/// Newtonsoft.Json (about 1.3 MiB resident) for nothing. Serializing through this one fails loudly.
/// </summary>
public sealed class LocalOnlySerializer : Serializer
{
    /// <summary>Outside Akka's reserved 0..40; no other serializer is configured with it.</summary>
    public const int Id = 1717;

    public LocalOnlySerializer(ExtendedActorSystem system) : base(system)
    {
    }

    /// <summary>Akka passes the alias' serialization-settings (json's pooled string builders), unused here.</summary>
    public LocalOnlySerializer(ExtendedActorSystem system, Config settings) : base(system) => _ = settings;

    public override int Identifier => Id;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new NotSupportedException($"totemd's actors are local: nothing is serialized (asked for {obj?.GetType().FullName ?? "null"})");

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new NotSupportedException($"totemd's actors are local: nothing is deserialized (asked for {type?.FullName ?? "null"})");
}
