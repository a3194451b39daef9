namespace Totem.Actors;

public interface ICancelable
{
    /// <summary>After Cancel returns, the scheduled message is never told again.</summary>
    void Cancel();

    bool IsCancelled { get; }
}
