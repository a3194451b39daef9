using System.Text.Json;
using System.Text.Json.Serialization;

namespace Totem.Host.Totemctl.Explain;

/// <summary>Source-generated JSON for `totemctl explain --json` (totemctl is published NativeAOT).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ExplainReport))]
internal sealed partial class ExplainJsonContext : JsonSerializerContext;
