namespace Totem.Protocol.Srp;

/// <summary>
/// corosync's totem.send_join (totemsrp.c memb_join_message_send): before each join a random wait of 0 up to
/// send_join ms, in microseconds (random() % (send_join * 1000) us), so that the joins of a large ring do not all hit
/// the network at one instant. 0, the default, sends at once and draws nothing.
/// </summary>
public static class SendJoinDelay
{
    /// <param name="sendJoinMs">totem.send_join.</param>
    /// <param name="unit">A uniform draw in [0, 1) from the node's random source.</param>
    public static TimeSpan Of(uint sendJoinMs, double unit)
    {
        if (unit is < 0 or >= 1 || double.IsNaN(unit))
            throw new ArgumentOutOfRangeException(nameof(unit), unit, "SendJoinDelay: the draw must be in [0, 1)");
        if (sendJoinMs == 0) return TimeSpan.Zero;
        var boundUs = (long)sendJoinMs * 1000;
        return TimeSpan.FromMicroseconds(Math.Min(boundUs - 1, (long)(unit * boundUs)));
    }
}
