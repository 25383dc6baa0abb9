namespace Imago.Storage.Tests.KillLoop;

/// <summary>
/// The tests that kill child processes at moments they pick by watching the child's progress. They run on
/// their own, after the parallel tests: with the other tests competing for two cores, the watcher can be starved
/// long enough to miss the window it aims at.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KillLoopCollection
{
    public const string Name = "Process kill loops";
}
