using Totem.Protocol.Wire;

namespace Totem.Nodes.Services;

/// <summary>The one framing of a ring payload: a service id byte, then the service's body.</summary>
public static class ServiceFrame
{
    /// <summary>Bytes the framing adds in front of a service's body.</summary>
    public const int HeaderBytes = 1;

    public static ValueList<byte> Wrap(ServiceId service, ReadOnlySpan<byte> body)
    {
        var bytes = new byte[body.Length + HeaderBytes];
        bytes[0] = (byte)service;
        body.CopyTo(bytes.AsSpan(HeaderBytes));
        // The array is ours alone from here on: handed over, not copied again.
        return new ValueList<byte>(System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(bytes));
    }

    /// <summary>False for an empty payload or an unknown service (a newer peer's service we do not run).</summary>
    public static bool TryUnwrap(ValueList<byte> payload, out ServiceId service, out ReadOnlyMemory<byte> body)
    {
        var items = payload.Items;
        if (items.Length == 0 || !Enum.IsDefined((ServiceId)items[0]))
        {
            service = default;
            body = default;
            return false;
        }
        service = (ServiceId)items[0];
        body = items.AsMemory()[HeaderBytes..];
        return true;
    }
}
