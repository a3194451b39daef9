namespace Totem.Host.Totemd.Discovery;

/// <summary>Where a node's id comes from when the config does not give one.</summary>
public enum IdentitySource
{
    /// <summary>The IPv4 ring address as a 32-bit number, as corosync's udp/udpu transports derive it.</summary>
    Address,

    /// <summary>
    /// The compose replica index N from the reverse DNS name of the address (PROJECT_node_N or PROJECT-node-N),
    /// which, unlike a container's address, survives a restart.
    /// </summary>
    ReplicaIndex,
}
