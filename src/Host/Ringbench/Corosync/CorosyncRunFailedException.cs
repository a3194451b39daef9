namespace Totem.Host.Ringbench.Corosync;

/// <summary>One run of corosync's throughput workload did not complete as it should; its row says why and the workload goes on.</summary>
public sealed class CorosyncRunFailedException : Exception
{
    public CorosyncRunFailedException()
    {
    }

    public CorosyncRunFailedException(string message) : base(message)
    {
    }

    public CorosyncRunFailedException(string message, Exception inner) : base(message, inner)
    {
    }
}
