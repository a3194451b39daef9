using System.Globalization;
using System.Text.RegularExpressions;

namespace Totem.Host.Ringbench.Corosync;

/// <summary>
/// What a corosync 3 node's own log says of its membership and quorum: votequorum's "[QUORUM] Members[N]: ..." after
/// every membership change (once service synchronization completed), and "This node is within the (non-)primary
/// component ..." whenever the quorum state is set. The latest of each is the node's state.
/// </summary>
public static partial class CorosyncQuorumLines
{
    public const string Primary = "This node is within the primary component and will provide service.";
    public const string NonPrimary = "This node is within the non-primary component and will NOT provide any services.";

    /// <summary>The members of the latest "Members[N]:" line (empty before the first) and whether the latest quorum line is primary.</summary>
    public static (IReadOnlyList<uint> Members, bool Quorate) State(IReadOnlyList<string> lines)
    {
        IReadOnlyList<uint>? members = null;
        bool? quorate = null;
        for (var i = lines.Count - 1; i >= 0 && (members is null || quorate is null); i--)
        {
            var line = lines[i];
            if (quorate is null && line.Contains("[QUORUM]", StringComparison.Ordinal))
            {
                if (line.EndsWith(Primary, StringComparison.Ordinal)) quorate = true;
                else if (line.EndsWith(NonPrimary, StringComparison.Ordinal)) quorate = false;
            }
            if (members is null && MembersPattern().Match(line) is { Success: true } m)
            {
                var ids = m.Groups["ids"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(id => uint.Parse(id, CultureInfo.InvariantCulture)).ToArray();
                var count = int.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture);
                if (ids.Length != count)
                    throw new FormatException($"corosync's line '{line}' announces {count} members and lists {ids.Length}");
                members = ids;
            }
        }
        return (members ?? [], quorate ?? false);
    }

    // Case-sensitive: "Sync members[N]:" (the sync's view, before it completed) must not match.
    [GeneratedRegex(@"\[QUORUM\] Members\[(?<count>\d+)\]:(?<ids>( \d+)*)\s*$")]
    private static partial Regex MembersPattern();
}
