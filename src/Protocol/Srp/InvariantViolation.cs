namespace Totem.Protocol.Srp;

/// <summary>An engine's invariant failed: a bug, never an input to tolerate. Always checked, after every input.</summary>
public sealed class InvariantViolation(string engine, string invariant) : Exception($"{engine}: invariant violated: {invariant}")
{
    public string Engine { get; } = engine;
    public string Invariant { get; } = invariant;
}
