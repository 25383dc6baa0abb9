namespace Imago.Core.Tasks;

/// <summary>How many tasks run at once, and how many queued task ids are held in memory (more wait in the database).</summary>
public sealed record TaskRunnerOptions(int Workers = 2, int QueueCapacity = 1024);
