using Totem.Protocol.Client;

namespace Totem.Client;

/// <summary>The node closed the connection with an error frame, or the connection broke.</summary>
public sealed class TotemClientException : Exception
{
    public TotemClientException(ClientErrorCode? code, string message, Exception? inner = null) : base(message, inner) => Code = code;

    /// <summary>The node's error code; null when the connection broke without one.</summary>
    public ClientErrorCode? Code { get; }
}
