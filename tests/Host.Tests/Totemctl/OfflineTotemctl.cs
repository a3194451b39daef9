using Totem.Host.Totemctl;

namespace Totem.Host.Tests.Totemctl;

/// <summary>
/// Runs totemctl's real handlers in-process: alone for the commands that need no totemd (timeouts, keygen), and with
/// <c>--node</c> against a control API (<see cref="Fixtures.ControlServerFixture.RunTotemctlAsync"/>).
/// </summary>
internal static class OfflineTotemctl
{
    public static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await new TotemctlApp(output, error, TotemctlApp.DefaultHttpClient, _ => null).RunAsync(args, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
