using Totem.Host.Totembench;

SoakGcBudget.Apply(args, Console.Error);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
return await new TotembenchApp(Console.Out, Console.Error).RunAsync(args, stop.Token);
