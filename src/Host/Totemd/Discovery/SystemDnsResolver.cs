using System.Net;
using System.Net.Sockets;

namespace Totem.Host.Totemd.Discovery;

/// <summary>The operating system's resolver (in compose: Docker's embedded DNS).</summary>
public sealed class SystemDnsResolver : IHostResolver
{
    public async Task<IPAddress[]> ResolveAsync(string name, CancellationToken ct)
    {
        if (IPAddress.TryParse(name, out var literal)) return [literal];
        return await Dns.GetHostAddressesAsync(name, AddressFamily.InterNetwork, ct).ConfigureAwait(false);
    }

    public async Task<string?> ReverseAsync(IPAddress address, CancellationToken ct)
    {
        try
        {
            var entry = await Dns.GetHostEntryAsync(address.ToString(), ct).ConfigureAwait(false);
            return string.IsNullOrEmpty(entry.HostName) || entry.HostName == address.ToString() ? null : entry.HostName;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
