namespace Totem.Nodes.Tests.Logging;

/// <summary>
/// Tests that read what reaches Serilog's static logger. Akka.Logger.Serilog writes every Akka event to
/// <c>Serilog.Log.Logger</c>, which each UDP node's start sets (one node per totemd process, so in totemd it is that
/// node's log); in this test process the other tests start UDP nodes in parallel and would replace it mid-test
/// (CI at 11258cc: the probe went to another test's logger). This collection runs alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StaticSerilogLoggerCollection
{
    public const string Name = "Serilog's static logger";
}
