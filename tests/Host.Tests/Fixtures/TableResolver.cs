using System.Net;
using System.Net.Sockets;
using Totem.Host.Totemd.Discovery;

namespace Totem.Host.Tests.Fixtures;

/// <summary>Test fixture: name resolution from tables the test fills; a missing forward name fails as DNS does.</summary>
public sealed class TableResolver : IHostResolver
{
    public Dictionary<string, IPAddress[]> Forward { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<IPAddress, string> Reverse { get; } = [];
    public int Lookups { get; private set; }
    public int ReverseLookups { get; private set; }

    public Task<IPAddress[]> ResolveAsync(string name, CancellationToken ct)
    {
        Lookups++;
        if (IPAddress.TryParse(name, out var literal)) return Task.FromResult(new[] { literal });
        return Forward.TryGetValue(name, out var found)
            ? Task.FromResult(found)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }

    public Task<string?> ReverseAsync(IPAddress address, CancellationToken ct)
    {
        ReverseLookups++;
        return Task.FromResult(Reverse.TryGetValue(address, out var name) ? name : null);
    }
}
