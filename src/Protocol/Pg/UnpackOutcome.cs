namespace Totem.Protocol.Pg;

/// <summary>What the <see cref="Assembler"/> noticed about a frame besides the messages it completed.</summary>
public enum UnpackOutcome
{
    /// <summary>The frame followed on from the sender's previous one.</summary>
    InOrder,
    /// <summary>
    /// The frame continues a message whose beginning this node does not hold (it joined after the message began):
    /// that message is thrown away, as totempg's throw-away mode does.
    /// </summary>
    ContinuationMismatch,
    /// <summary>The sender started a message over (after a ring with new members); the part held of the old attempt is dropped.</summary>
    Restarted,
}
