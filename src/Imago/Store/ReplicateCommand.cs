using Imago.Cli;
using Imago.Img;
using Imago.Storage;
using Imago.Storage.Metadata;
using Imago.Storage.Replication;

namespace Imago.Store;

/// <summary>
/// <c>replicate --to DIR SNAPSHOT_ID [-p]</c>: copies a snapshot to another store (created with this store's
/// layout when DIR is missing or empty), sending only the chunks it lacks. Safe to re-run after an interruption.
/// </summary>
internal sealed class ReplicateCommand : IStoreCommand
{
    private static readonly OptionParser Parser = new(["--to"], ["-p"]);

    public string Name => "replicate";

    public string Usage => "--to DIR SNAPSHOT_ID [-p]";

    public string Summary => "copy a snapshot to another store, sending only the chunks it lacks (resumable)";

    public async Task<int> RunAsync(string dataDirectory, IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var options = Parser.Parse(args);
        var id = StoreOpener.Operands(options, "SNAPSHOT_ID")[0];
        var target = options.Value("--to") ?? throw new UsageException("the destination store is required: --to DIR");
        if (Path.GetFullPath(target) == Path.GetFullPath(dataDirectory))
        {
            throw new UsageException("the destination is the source store");
        }

        var source = await StoreOpener.OpenExistingAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var info = await source.GetInfoAsync(VersionKind.Snapshot, id, cancellationToken).ConfigureAwait(false);
            var layout = new BlockStoreOptions { ChunkSize = source.Layout.ChunkSize, PageFanout = source.Layout.PageFanout };
            var destination = await StoreOpener.OpenOrCreateAsync(target, layout, cancellationToken).ConfigureAwait(false);
            await using (destination.ConfigureAwait(false))
            {
                // Distinct chunks plus pages: what the replicator will examine, for the percentage.
                var total = info.UniqueBytes / source.ChunkSize + info.MetadataPages;
                var progress = options.Has("-p") ? new ReplicationProgressPrinter(new ProgressPrinter(console), total) : null;
                var result = await SnapshotReplicator.ReplicateAsync(source, id, destination, progress, cancellationToken).ConfigureAwait(false);
                await console.Out.WriteLineAsync(result.AlreadyPresent
                    ? $"snapshot '{id}' is already at the destination"
                    : $"replicated snapshot '{id}': {result.ChunksSent} chunks sent ({QemuText.Size(result.BytesSent)}, {result.BytesSent} bytes), "
                      + $"{result.ChunksSkipped} already there").ConfigureAwait(false);
            }
        }

        return 0;
    }

    /// <summary>Replication progress shown with the convert progress printer (chunks examined out of the total).</summary>
    private sealed class ReplicationProgressPrinter(IProgress<Imago.Formats.Conversion.ConvertProgress> printer, long total)
        : IProgress<ReplicationProgress>
    {
        private readonly Lock _gate = new(); // reports come from the replicator's parallel senders

        public void Report(ReplicationProgress value)
        {
            lock (_gate)
            {
                printer.Report(new(Math.Min(value.ChunksExamined, total), Math.Max(total, 1)));
            }
        }
    }
}
