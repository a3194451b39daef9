namespace Totem.Actors;

/// <summary>
/// Akka's per-actor keyed timers. Starting a timer with a key replaces (and cancels) the previous one; a
/// cancelled or replaced timer's message is never processed, even if it was already in the mailbox. All timers
/// are cancelled when the actor stops or restarts.
/// </summary>
public interface ITimerScheduler
{
    void StartSingleTimer(object key, object message, TimeSpan delay);

    void StartPeriodicTimer(object key, object message, TimeSpan interval);

    void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval);

    bool IsTimerActive(object key);

    void Cancel(object key);

    void CancelAll();
}
