using Totem.Protocol.Wire;

namespace Totem.Protocol.Config;

/// <summary>
/// The totem { } section as written. Timing values are null where the file leaves them to
/// corosync's derivation (see <see cref="TotemTimeouts.Derive"/>); 0 in the file also means
/// "use the default" for every timing key except send_join and token_warning, as in corosync.
/// All durations in milliseconds.
/// </summary>
public sealed record TotemSettings
{
    public static TotemSettings Default { get; } = new();

    /// <summary><c>version</c>: must be 2 (corosync refuses anything else).</summary>
    public uint? Version { get; init; }

    /// <summary><c>cluster_name</c>: shown by the tools; corosync derives its cluster id from it.</summary>
    public string? ClusterName { get; init; }

    /// <summary><c>config_version</c>: bumped by whoever edits the file; nodes compare it.</summary>
    public ulong? ConfigVersion { get; init; }

    /// <summary><c>ip_version</c>: ipv4 | ipv6 | ipv4-6 | ipv6-4; default ipv6-4 (knet, udpu), ipv4 (udp).</summary>
    public string? IpVersion { get; init; }

    /// <summary>
    /// <c>secauth</c>: corosync 2's switch for aes256 + sha256. True only for the word <c>on</c>, as
    /// totem_get_crypto compares it: corosync reads <c>secauth: yes</c> as off (the parser warns).
    /// </summary>
    public bool? SecAuth { get; init; }

    /// <summary><c>link_mode</c>: passive (default) | active | rr.</summary>
    public string LinkMode { get; init; } = "passive";

    /// <summary>corosync 3's transport when the file names none.</summary>
    public const string DefaultTransport = "knet";

    /// <summary><c>transport</c>: knet (default) | udpu | udp.</summary>
    public string Transport { get; init; } = DefaultTransport;

    /// <summary><c>crypto_cipher</c>: none | aes256 | aes192 | aes128.</summary>
    public string? CryptoCipher { get; init; }

    /// <summary><c>crypto_hash</c>: none | md5 | sha1 | sha256 | sha384 | sha512.</summary>
    public string? CryptoHash { get; init; }

    /// <summary><c>crypto_model</c>: nss (default) | openssl.</summary>
    public string? CryptoModel { get; init; }

    /// <summary><c>keyfile</c>: the authkey's path; null: <c>key</c>, else the default /etc/corosync/authkey.</summary>
    public string? KeyFile { get; init; }

    /// <summary><c>key</c>: the key itself, written in the file (corosync reads it only when <c>keyfile</c> is not set).</summary>
    public string? Key { get; init; }

    /// <summary><c>token</c>: token-loss timeout before the coefficient; default 3000.</summary>
    public uint? Token { get; init; }

    /// <summary><c>token_coefficient</c>: added per node beyond two; default 650; 0 disables.</summary>
    public uint? TokenCoefficient { get; init; }

    /// <summary><c>token_retransmit</c>: default effective token / (token_retransmits_before_loss_const + 0.2).</summary>
    public uint? TokenRetransmit { get; init; }

    /// <summary><c>hold</c>: how long an idle ring holds the token; default token_retransmit x 0.8 - 10.</summary>
    public uint? Hold { get; init; }

    /// <summary><c>token_retransmits_before_loss_const</c>: default 4.</summary>
    public uint? TokenRetransmitsBeforeLossConst { get; init; }

    /// <summary><c>join</c>: wait for join messages in gather; default 50.</summary>
    public uint? Join { get; init; }

    /// <summary><c>send_join</c>: random delay bound before sending a join; default 0 (0 allowed).</summary>
    public uint? SendJoin { get; init; }

    /// <summary><c>consensus</c>: wait for consensus before a new round of membership; default 1.2 x effective token.</summary>
    public uint? Consensus { get; init; }

    /// <summary><c>merge</c>: interval between checks for foreign rings while operational; default 200.</summary>
    public uint? Merge { get; init; }

    /// <summary><c>downcheck</c>: interval between checks for a failed interface; default 1000.</summary>
    public uint? Downcheck { get; init; }

    /// <summary><c>fail_recv_const</c>: token rotations without wanted messages before a processor counts as failed; default 2500.</summary>
    public uint? FailRecvConst { get; init; }

    /// <summary><c>seqno_unchanged_const</c>: rotations without new messages before hold mode; default 30.</summary>
    public uint? SeqnoUnchangedConst { get; init; }

    /// <summary><c>miss_count_const</c>: rotations a message may stay missing before its retransmit is requested; default 5.</summary>
    public uint? MissCountConst { get; init; }

    /// <summary><c>max_messages</c>: messages one processor may send per token; default 17.</summary>
    public uint? MaxMessages { get; init; }

    /// <summary><c>window_size</c>: messages the whole ring may send per rotation; default 50.</summary>
    public uint? WindowSize { get; init; }

    /// <summary><c>token_warning</c>: % of token after which "Token has not been received" is logged; default 75, 0 disables.</summary>
    public uint? TokenWarning { get; init; }

    /// <summary><c>max_network_delay</c>: default 50.</summary>
    public uint? MaxNetworkDelay { get; init; }

    /// <summary>
    /// <c>block_unlisted_ips</c>: drop datagrams from addresses that are not a known peer; default yes, as
    /// totemconfig.c's BLOCK_UNLISTED_IPS.
    /// </summary>
    public bool BlockUnlistedIps { get; init; } = true;

    /// <summary>The <c>interface { }</c> blocks, in file order.</summary>
    public ValueList<TotemInterface> Interfaces { get; init; } = ValueList<TotemInterface>.Empty;
}
