using Totem.Host.Totembench;

namespace Totem.Host.Tests.Totembench;

/// <summary>What one totembench command line printed, run in-process as the program runs it.</summary>
internal sealed record TotembenchRun(int Exit, string Output, string Error)
{
    /// <summary>Standard output then standard error, for checks (and failure messages) that read both.</summary>
    public string Text => Output + Error;

    public static async Task<TotembenchRun> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await new TotembenchApp(output, error).RunAsync(args, CancellationToken.None);
        return new TotembenchRun(exit, output.ToString(), error.ToString());
    }
}
