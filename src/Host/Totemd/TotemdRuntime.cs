namespace Totem.Host.Totemd;

/// <summary>
/// Runtime settings that have no runtimeconfig name and are read from the environment once, at the first socket: set
/// here, before anything opens one, unless the admin set them.
/// </summary>
public static class TotemdRuntime
{
    /// <summary>
    /// Socket completions run on the thread that polled them instead of hopping to the thread pool: the token's way
    /// through a node is receive -> TokenHolder -> UdpAdapter -> send, and each hop is a wake-up on a machine where
    /// wake-ups, not CPU, bound the ring (notes/issue-18-tput.md). What runs inline is short: InboundDatagrams decodes
    /// and tells an actor; Kestrel dispatches to its own queues unless told otherwise; the client socket's reader
    /// decodes a frame and tells the daemon.
    /// </summary>
    public const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void Configure()
    {
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
    }
}
