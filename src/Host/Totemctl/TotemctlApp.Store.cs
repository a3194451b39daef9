using System.CommandLine;
using System.Globalization;
using System.Text;
using Totem.Host.Control.Api;

namespace Totem.Host.Totemctl;

public sealed partial class TotemctlApp
{
    /// <summary>`totemctl store ls|get|put|rm PATH`: the replicated store (pmxcfs's /etc/pve); writes need quorum.</summary>
    private Command StoreCommand()
    {
        var cmd = new Command("store", "Read and write the replicated configuration store (writes need quorum, like /etc/pve)");
        cmd.Add(StoreLs());
        cmd.Add(StoreGet());
        cmd.Add(StorePut());
        cmd.Add(StoreRm());
        return cmd;
    }

    private static Argument<string> StorePathArgument(string? fallback = null)
    {
        var path = new Argument<string>("path") { Description = "The store path, absolute (/cluster/name)" };
        if (fallback is not null)
        {
            path.Arity = ArgumentArity.ZeroOrOne;
            path.DefaultValueFactory = _ => fallback;
        }
        return path;
    }

    private static Option<ulong?> VersionOption() =>
        new("--if-version") { Description = "Only if the key is at this version (0: only if it does not exist)" };

    private Command StoreLs()
    {
        var path = StorePathArgument("/");
        var cmd = new Command("ls", "List a directory of the node's copy") { path };
        cmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var r = await c.ListStoreAsync(p.GetValue(path)!, ct).ConfigureAwait(false);
            if (WriteJson(p, r)) return ExitCodes.Ok;
            await output.WriteLineAsync(Header(r.Path, r.StoreVersion, r.Quorate, r.Synchronized)).ConfigureAwait(false);
            foreach (var child in r.Children)
                await output.WriteLineAsync(child.Directory
                    ? $"  {child.Name}/"
                    : string.Create(CultureInfo.InvariantCulture, $"  {child.Name}  (version {child.Version}, {child.Size} bytes)")).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private Command StoreGet()
    {
        var path = StorePathArgument();
        var cmd = new Command("get", "Print a key's value (UTF-8) from the node's copy; the version and quorum go to stderr") { path };
        cmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var r = await c.GetStoreAsync(p.GetValue(path)!, ct).ConfigureAwait(false);
            if (WriteJson(p, r)) return ExitCodes.Ok;
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{Header(r.Path, r.StoreVersion, r.Quorate, r.Synchronized)}, key version {r.Version}")).ConfigureAwait(false);
            await output.WriteLineAsync(Encoding.UTF8.GetString(r.Value)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private Command StorePut()
    {
        var path = StorePathArgument();
        var value = new Argument<string>("value") { Description = "The value (UTF-8 text)" };
        var version = VersionOption();
        var cmd = new Command("put", "Write a key through the ring (refused without quorum: cluster not ready - no quorum?)") { path, value, version };
        cmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var r = await c.PutStoreAsync(p.GetValue(path)!, Encoding.UTF8.GetBytes(p.GetValue(value)!), p.GetValue(version), ct).ConfigureAwait(false);
            if (!WriteJson(p, r)) await output.WriteLineAsync(Written("written", r)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private Command StoreRm()
    {
        var path = StorePathArgument();
        var version = VersionOption();
        var cmd = new Command("rm", "Remove a key through the ring (refused without quorum)") { path, version };
        cmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var r = await c.RemoveStoreAsync(p.GetValue(path)!, p.GetValue(version), ct).ConfigureAwait(false);
            if (!WriteJson(p, r)) await output.WriteLineAsync(Written("removed", r)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static string Header(string path, ulong storeVersion, bool quorate, bool synchronized) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{path}: store version {storeVersion}, {(quorate ? "quorate" : "NOT quorate (read-only)")}{(synchronized ? "" : ", not synchronized (may be behind)")}");

    private static string Written(string what, StoreWrittenDto r) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.Path}: {what}, key version {r.Version}, store version {r.StoreVersion}");
}
