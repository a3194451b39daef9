using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Verification;

/// <summary>Something one incarnation of a node did, in the order it did it.</summary>
public abstract record NodeEvent;

/// <summary>The application handed this payload to the node's Totem engine to multicast.</summary>
public sealed record MessageSubmitted(ValueList<byte> Payload) : NodeEvent;

/// <summary>The engine refused a submission (queue full): it owes the run nothing for that payload.</summary>
public sealed record SubmissionRejected(ValueList<byte> Payload, string Reason) : NodeEvent;

/// <summary>The engine delivered a message to the application.</summary>
public sealed record MessageDelivered(Delivered Delivery) : NodeEvent;

/// <summary>The engine delivered a transitional or regular configuration to the application.</summary>
public sealed record ConfigurationInstalled(ConfigurationChanged Change) : NodeEvent;

/// <summary>The node's service synchronization of this ring completed (corosync: "Completed service synchronization").</summary>
public sealed record ServiceSyncCompleted(RingId Ring) : NodeEvent;
