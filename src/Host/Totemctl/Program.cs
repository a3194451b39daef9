using Totem.Host.Totemctl;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
var app = new TotemctlApp(Console.Out, Console.Error, TotemctlApp.DefaultHttpClient, Environment.GetEnvironmentVariable);
return await app.RunAsync(args, stop.Token);
