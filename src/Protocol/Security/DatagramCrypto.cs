namespace Totem.Protocol.Security;

/// <summary>
/// What a node seals its datagrams with: the crypto settings as corosync decides them and the authkey's bytes
/// (128 to 4096, as corosync-keygen writes). The host reads the key file; the node only derives keys from it.
/// </summary>
public sealed record DatagramCrypto(CryptoSettings Settings, ReadOnlyMemory<byte> AuthKey)
{
    /// <summary>
    /// This life's boot epoch (<see cref="DatagramSeal"/>); null: microseconds since the Unix epoch when the node's
    /// transport is created. A host that keeps state across restarts can pass max(now, last epoch + 1) so that a
    /// wall clock stepped back across a restart does not leave the node's datagrams refused as an older epoch.
    /// </summary>
    public ulong? BootEpoch { get; init; }

    /// <summary>A life's epoch from the clock's and the last life's: above the last even when the clock went back.</summary>
    public static ulong NextEpoch(ulong now, ulong? last) => last is { } previous && previous >= now ? previous + 1 : now;

    public static ulong EpochNow(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return (ulong)((clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond);
    }
}
