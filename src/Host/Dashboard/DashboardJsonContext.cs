using System.Text.Json;
using System.Text.Json.Serialization;
using Totem.Host.Control.Api;

namespace Totem.Host.Dashboard;

/// <summary>The dashboard's own JSON (the page's "node" events and errors), camelCase as the control API's (ControlJson).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(NodeLinkDto))]
[JsonSerializable(typeof(ErrorDto))]
[JsonSerializable(typeof(FaultsDto))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
