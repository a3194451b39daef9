namespace Totem.Protocol.Security;

/// <summary>
/// Why <see cref="DatagramSeal.TryOpen(ReadOnlySpan{byte}, Span{byte}, out int, out SealFailure)"/> refused a
/// datagram: each is counted on its own, so an operator can tell a wrong key (<see cref="BadTag"/>) from a replay
/// attack (<see cref="Replayed"/>, <see cref="BelowWindow"/>, <see cref="OlderEpoch"/>) from a peer configured
/// with another cipher or hash (<see cref="SuiteMismatch"/>).
/// </summary>
public enum SealFailure
{
    None,

    /// <summary>Shorter than the smallest sealed datagram of this suite (header, IV, one block, tag).</summary>
    TooShort,

    /// <summary>The first byte is not the sealed format's: a clear-text datagram, or another format.</summary>
    BadVersion,

    /// <summary>Sealed with another crypto_cipher/crypto_hash than this node's.</summary>
    SuiteMismatch,

    /// <summary>The ciphertext is not a whole number of cipher blocks.</summary>
    BadLength,

    /// <summary>The tag does not match: another key, another cluster name, or a modified datagram.</summary>
    BadTag,

    /// <summary>Authentic, but addressed to another node (a unicast captured on its way elsewhere and sent here).</summary>
    WrongDestination,

    /// <summary>Authentic, but carries this node's own id: one of its own datagrams reflected back at it.</summary>
    FromSelf,

    /// <summary>Authentic, from an earlier life of its sender than one already heard from.</summary>
    OlderEpoch,

    /// <summary>Authentic, but its counter is too far below the newest one heard from its sender to be told apart from a replay.</summary>
    BelowWindow,

    /// <summary>Authentic, and already accepted once.</summary>
    Replayed,

    /// <summary>Authentic, but its padding is wrong after decryption: only a key holder's bug can produce it.</summary>
    BadPadding,

    /// <summary>
    /// Authentic, but the Totem message inside names another sender than the node that sealed it: a key holder
    /// speaking for another node. Found after decoding (the seal itself does not read Totem messages).
    /// </summary>
    SenderMismatch,
}
