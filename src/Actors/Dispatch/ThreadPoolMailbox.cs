using System.Collections.Concurrent;
using System.Threading.Channels;
using Totem.Actors.Cells;

namespace Totem.Actors.Dispatch;

/// <summary>
/// A mailbox that runs on the thread pool. The scheduled flag guarantees at most one work item per actor,
/// hence one message at a time; the single queue keeps every sender's messages in order.
/// </summary>
internal sealed class ThreadPoolMailbox(ActorCell cell, int throughput) : Mailbox(cell), IThreadPoolWorkItem
{
    private const int Idle = 0;
    private const int Scheduled = 1;

    private readonly Channel<Envelope> _user = Channel.CreateUnbounded<Envelope>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });

    private readonly ConcurrentQueue<SystemMessage> _system = new();
    private int _status;

    public override void Post(in Envelope envelope)
    {
        _user.Writer.TryWrite(envelope);
        ScheduleIfIdle();
    }

    public override void PostSystem(SystemMessage message)
    {
        _system.Enqueue(message);
        ScheduleIfIdle();
    }

    public void Execute()
    {
        try
        {
            for (var processed = 0; processed < throughput; processed++)
            {
                if (_system.TryDequeue(out var systemMessage))
                {
                    Cell.SystemInvoke(systemMessage);
                    continue;
                }

                if (!_user.Reader.TryRead(out var envelope))
                {
                    break;
                }

                Cell.Invoke(envelope);
            }
        }
        finally
        {
            // Full fence: a writer that saw Scheduled must find its message picked up by the check below.
            Interlocked.Exchange(ref _status, Idle);
            if (!_system.IsEmpty || _user.Reader.TryPeek(out _))
            {
                ScheduleIfIdle();
            }
        }
    }

    private void ScheduleIfIdle()
    {
        if (Interlocked.CompareExchange(ref _status, Scheduled, Idle) == Idle)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }
}
