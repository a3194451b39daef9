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
        var ifMissing = new Option<bool>("--if-missing")
        {
            Description = "Keep an existing key file when totemd would accept it (exit 0), write one only when there is none: " +
                "makes a cluster's key once, e.g. the compose lab's init service and scripts/local-ring.sh",
        };
        var cmd = new Command("keygen", "Write a new authkey of random bytes with mode 0400 (like corosync-keygen); copy it to every node") { keyFile, size, force, ifMissing };
        cmd.SetAction(async (p, _) =>
        {
            var path = p.GetValue(keyFile)!;
            var bytes = p.GetValue(size);
            var full = Path.GetFullPath(path);
            if (p.GetValue(ifMissing))
            {
                if (p.GetValue(force))
                {
                    await error.WriteLineAsync("totemctl: keygen: --if-missing keeps an existing key and --force replaces it: give one of them").ConfigureAwait(false);
                    return ExitCodes.UsageOrConnection;
                }
                // An existing file is checked as totemd will check it, so a bad one fails here, where the key is
                // made, and not later on every node.
                if (File.Exists(full) || Directory.Exists(full))
                {
                    if (!AuthKeyFile.TryLoad(full, out var existing, out var refusal))
                    {
                        await error.WriteLineAsync($"totemctl: keygen: {refusal}; not replaced (remove it, or give --force instead of --if-missing)").ConfigureAwait(false);
                        return ExitCodes.UsageOrConnection;
                    }
                    await output.WriteLineAsync($"Keeping the existing corosync key {full} ({existing.Length} bytes).").ConfigureAwait(false);
                    System.Security.Cryptography.CryptographicOperations.ZeroMemory(existing);
                    return ExitCodes.Ok;
                }
            }
            if (AuthKeyFile.Write(path, bytes, p.GetValue(force)) is { } problem)
            {
                await error.WriteLineAsync($"totemctl: keygen: {problem}").ConfigureAwait(false);
                return ExitCodes.UsageOrConnection;
            }
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
