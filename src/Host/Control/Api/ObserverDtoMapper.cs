using Totem.Nodes.Messages;

namespace Totem.Host.Control.Api;

/// <summary>The observer plane's records in the control API's shapes (the events are <see cref="DtoMapper"/>'s).</summary>
public static class ObserverDtoMapper
{
    public static ObservedEventDto ToDto(this ObservedEvent e) => new(e.Node.Value, e.Event.ToDto());

    public static RingSampleDto ToDto(this RingSample s)
    {
        var status = s.Status.ToDto();
        return new RingSampleDto(status.NodeId, status.At, status.State, status.RingId, status.Members, s.TokenRotationMs, s.Retransmits, s.TokenLosses,
            status.Quorate, status.TotalVotes, status.ExpectedVotes, status.Quorum, status.Watchdog.Armed, status.Watchdog.Deadline, status.Watchdog.TimeoutMs);
    }
}
