namespace Totem.Protocol.Store;

/// <summary>Why a write did not complete. The first three are decided at once on the node asked; the rest once the write is ordered.</summary>
public enum StoreErrorKind
{
    /// <summary>The node is not quorate (pmxcfs: "cluster not ready - no quorum?").</summary>
    NoQuorum,

    /// <summary>The store has not been synchronized in the current membership yet (a membership change is in progress).</summary>
    NotSynchronized,

    /// <summary>The request itself is wrong: a bad path, a value above <see cref="StoreLimits.MaxValueBytes"/>, a request id in use.</summary>
    InvalidRequest,

    /// <summary>Removing a key that does not exist.</summary>
    NotFound,

    /// <summary>The path is a directory (it has keys below it): it holds no value and is not removed by itself.</summary>
    IsDirectory,

    /// <summary>A parent of the path is a key with a value, so the path cannot be below it.</summary>
    NotADirectory,

    /// <summary>A conditional write's expected version is not the key's version any more.</summary>
    Conflict,

    /// <summary>The membership changed before the write was ordered: it was not applied anywhere.</summary>
    NotApplied,

    /// <summary>The write was delivered while the membership changed; whether the quorate side has it cannot be known here.</summary>
    OutcomeUnknown,
}

/// <summary>A refusal with the text a client sees, naming the path and what is wrong.</summary>
public sealed record StoreFailure(StoreErrorKind Kind, string Reason);
