using System.Globalization;

namespace Totem.Host.Ringbench.Corosync;

/// <summary>
/// How ringbench's corosync processes are scheduled. corosync 3 makes itself SCHED_RR at the highest priority (99)
/// unless its corosync.conf says <c>system { sched_rr: no }</c> (corosync 2's <c>-p</c> flag is gone); totemd, ringbench and the clients run SCHED_OTHER. On a machine that other work
/// loads, a realtime corosync pre-empts everything else, our five nodes included, and the side-by-side figures then
/// measure the scheduling class rather than the two engines (notes/issue-18-tput.md, run 2). So by default corosync
/// runs with <c>sched_rr: no</c> and <c>priority: 0</c> (nice 0), in totemd's class; <see cref="BenchOptions"/>' CorosyncRealtime keeps corosync's default, for
/// the figure an admin gets from a stock install. Giving totemd SCHED_RR 99 instead was not chosen: a runtime with a
/// JIT, a GC and spinning thread-pool workers at realtime priority can starve the rest of a shared machine.
/// </summary>
public static class CorosyncScheduling
{
    /// <summary>The lines of corosync.conf's <c>system</c> section that set it (none: corosync's default).</summary>
    public static string SystemKeys(bool realtime) => realtime ? "" : "  sched_rr: no\n  priority: 0";

    public static string Chosen(bool realtime) =>
        realtime ? "corosync's default (SCHED_RR 99), totemd SCHED_OTHER" : "corosync sched_rr: no, priority: 0 (SCHED_OTHER nice 0, as totemd; its default is SCHED_RR 99)";

    /// <summary>The policy and priority a process runs with, from /proc/PID/stat (fields 41 and 40), e.g. "SCHED_RR 99"; null if it is gone.</summary>
    public static string? Observed(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return Parse(stat);
    }

    /// <summary>The policy from a /proc/PID/stat line; null when the line is not one.</summary>
    public static string? Parse(string stat)
    {
        // The command name (field 2) may hold spaces and parentheses: fields are counted from after its last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state): rt_priority is field 40, policy field 41.
        if (fields.Length < 39
            || !int.TryParse(fields[37], NumberStyles.None, CultureInfo.InvariantCulture, out var priority)
            || !int.TryParse(fields[38], NumberStyles.None, CultureInfo.InvariantCulture, out var policy))
            return null;
        var name = policy switch
        {
            0 => "SCHED_OTHER",
            1 => "SCHED_FIFO",
            2 => "SCHED_RR",
            3 => "SCHED_BATCH",
            5 => "SCHED_IDLE",
            6 => "SCHED_DEADLINE",
            _ => $"policy {policy}",
        };
        return policy is 1 or 2 ? string.Create(CultureInfo.InvariantCulture, $"{name} {priority}") : name;
    }
}
