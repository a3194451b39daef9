namespace Totem.Protocol.Security;

/// <summary>The one spelling of a refusal reason outside the code: bad_tag, older_epoch, ... (cmap keys and Prometheus labels).</summary>
public static class SealFailureNames
{
    /// <summary>Every reason a datagram can be refused for (all but <see cref="SealFailure.None"/>).</summary>
    public static readonly IReadOnlyList<SealFailure> Reasons = Enum.GetValues<SealFailure>().Where(r => r != SealFailure.None).ToArray();

    public static string Name(SealFailure reason)
    {
        var text = reason.ToString();
        var b = new System.Text.StringBuilder(text.Length + 4);
        foreach (var ch in text)
        {
            if (char.IsUpper(ch) && b.Length > 0) b.Append('_');
            b.Append(char.ToLowerInvariant(ch));
        }
        return b.ToString();
    }
}
