namespace Totem.Protocol.Wire;

/// <summary>Why a datagram was rejected; the receiver counts these and drops the datagram.</summary>
public enum DecodeError
{
    /// <summary>Shorter than the fixed header.</summary>
    TooShort,
    /// <summary>Longer than <see cref="TotemCodec.MaxDatagramSize"/>.</summary>
    Oversize,
    /// <summary>Not a datagram of this protocol (e.g. real corosync or random traffic on the port).</summary>
    BadMagic,
    /// <summary>A protocol version this build does not speak.</summary>
    UnsupportedVersion,
    /// <summary>A message type byte no codec is registered for.</summary>
    UnknownType,
    /// <summary>The datagram ends inside a field.</summary>
    Truncated,
    /// <summary>Bytes remain after the last field of the message.</summary>
    LengthMismatch,
    /// <summary>A count prefix exceeds that list's protocol limit.</summary>
    ListTooLong,
    /// <summary>An encapsulated multicast carries another encapsulated multicast.</summary>
    NestingTooDeep,
    /// <summary>A field holds a value outside its domain (a bool other than 0/1, an unknown enum, an index out of range).</summary>
    InvalidValue,

    /// <summary>The seal refused the datagram before any decoding (only on an open-then-decode path; the detail names the <see cref="Security.SealFailure"/>).</summary>
    Unauthenticated,
}
