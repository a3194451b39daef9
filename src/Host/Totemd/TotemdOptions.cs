using System.Net;

namespace Totem.Host.Totemd;

/// <summary>totemd's command line after parsing: the config and the few per-node overrides.</summary>
public sealed record TotemdOptions(string ConfigPath, uint? NodeId, IPAddress? Bind, IPEndPoint? Control, bool CheckOnly);
