using System.Net;

namespace Totem.Host.Control;

/// <summary>The control API answered with an error status; <see cref="Message"/> is its JSON error text.</summary>
public sealed class ControlApiException(HttpStatusCode status, string error) : Exception(error)
{
    public HttpStatusCode Status { get; } = status;
}
