using System.CommandLine;
using Totem.Host.Control;

namespace Totem.Host.Totemctl;

public sealed partial class TotemctlApp
{
    private Command KeygenCommand()
    {
        var keyFile = new Option<string>("--key-file", "-k") { Description = $"Where to write the key (default {AuthKeyFile.DefaultPath})", DefaultValueFactory = _ => AuthKeyFile.DefaultPath };
        var size = new Option<int>("--size", "-s") { Description = $"Key length in bytes, {AuthKeyFile.MinBytes} to {AuthKeyFile.MaxBytes}", DefaultValueFactory = _ => AuthKeyFile.DefaultBytes };
        var force = new Option<bool>("--force", "-f") { Description = "Replace an existing key file (corosync-keygen always does; totemctl refuses without this)" };
        var cmd = new Command("keygen", "Write a new authkey of random bytes with mode 0400 (like corosync-keygen); copy it to every node") { keyFile, size, force };
        cmd.SetAction(async (p, _) =>
        {
            var path = p.GetValue(keyFile)!;
            var bytes = p.GetValue(size);
            if (AuthKeyFile.Write(path, bytes, p.GetValue(force)) is { } problem)
            {
                await error.WriteLineAsync($"totemctl: keygen: {problem}").ConfigureAwait(false);
                return ExitCodes.UsageOrConnection;
            }
            var full = Path.GetFullPath(path);
            // corosync-keygen's lines, so scripts and habits that read them keep working.
            await output.WriteLineAsync("Corosync Cluster Engine Authentication key generator.").ConfigureAwait(false);
            await output.WriteLineAsync($"Gathering {bytes * 8} bits for key from the system's random number generator.").ConfigureAwait(false);
            await output.WriteLineAsync($"Writing corosync key to {full}.").ConfigureAwait(false);
            await output.WriteLineAsync($"Copy it to every node: install -D --group=0 --owner=0 --mode=0400 {full} {AuthKeyFile.DefaultPath}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
