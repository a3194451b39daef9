using System.Text.Json.Serialization;
using Totem.Host.Control.Api;

namespace Totem.Host.Control;

/// <summary>
/// Every type the control API sends or reads, and totemctl prints (see <see cref="ControlJson"/>). The
/// contract carries text where corosync's tools print names (state, mode, flags), so it has no enums and
/// needs no enum converter. A type missing here fails its first serialization with "JsonTypeInfo
/// metadata for type ... was not provided" (ControlJsonContractTests checks every endpoint's type).
/// </summary>
[JsonSerializable(typeof(StatusDto))]
[JsonSerializable(typeof(LinkDto))]
[JsonSerializable(typeof(RuntimeDto))]
[JsonSerializable(typeof(MessagesDto))]
[JsonSerializable(typeof(SubmitAcceptedDto))]
[JsonSerializable(typeof(SubmitBatchAcceptedDto))]
[JsonSerializable(typeof(ExpectedVotesRequest))]
[JsonSerializable(typeof(ExpectedVotesDto))]
[JsonSerializable(typeof(FaultRequest))]
[JsonSerializable(typeof(FaultsDto))]
[JsonSerializable(typeof(EventDto))]
[JsonSerializable(typeof(ErrorDto))]
[JsonSerializable(typeof(TimeoutsDto))]
[JsonSerializable(typeof(ReloadDto))]
[JsonSerializable(typeof(StoreEntryDto))]
[JsonSerializable(typeof(StoreListDto))]
[JsonSerializable(typeof(StoreWrittenDto))]
[JsonSerializable(typeof(ObservedEventDto))]
[JsonSerializable(typeof(RingSampleDto))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
