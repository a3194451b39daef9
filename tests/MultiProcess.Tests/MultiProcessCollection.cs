namespace Totem.MultiProcess.Tests;

/// <summary>
/// One ring of five processes at a time: the machine may have two cores, and rings running side by
/// side would slow each other into the timing bounds.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiProcessCollection
{
    public const string Name = "multi-process";
}
