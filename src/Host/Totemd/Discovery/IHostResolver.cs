using System.Net;

namespace Totem.Host.Totemd.Discovery;

/// <summary>Name resolution, behind a seam so discovery can be tested without a DNS server.</summary>
public interface IHostResolver
{
    /// <summary>Every address of <paramref name="name"/>; an IP literal resolves to itself. Throws on failure.</summary>
    Task<IPAddress[]> ResolveAsync(string name, CancellationToken ct);

    /// <summary>The reverse DNS name of <paramref name="address"/>, or null when there is none.</summary>
    Task<string?> ReverseAsync(IPAddress address, CancellationToken ct);
}
