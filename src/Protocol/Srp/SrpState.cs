namespace Totem.Protocol.Srp;

/// <summary>The states of totemsrp's membership protocol.</summary>
public enum SrpState { Operational, Gather, Commit, Recovery }
