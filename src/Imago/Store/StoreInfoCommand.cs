using Imago.Cli;
using Imago.Img;
using Imago.Storage.Metadata;

namespace Imago.Store;

/// <summary><c>info ID</c>: what a volume or snapshot holds (both, when the id names one of each).</summary>
internal sealed class StoreInfoCommand : IStoreCommand
{
    private static readonly OptionParser Parser = new([], []);

    public string Name => "info";

    public string Usage => "ID";

    public string Summary => "show a volume's or snapshot's size, allocated and unique data, metadata pages";

    public Task<int> RunAsync(string dataDirectory, IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var id = StoreOpener.Operands(Parser.Parse(args), "ID")[0];
        return StoreOpener.WithExistingAsync(dataDirectory, cancellationToken, async store =>
        {
            var kinds = new List<VersionKind>();
            if (store.VolumeExists(VersionId.Check(id)))
            {
                kinds.Add(VersionKind.Volume);
            }

            if (store.SnapshotExists(id))
            {
                kinds.Add(VersionKind.Snapshot);
            }

            if (kinds.Count == 0)
            {
                throw new UsageException($"no volume or snapshot '{id}' in {store.Directory}");
            }

            foreach (var kind in kinds)
            {
                var info = await store.GetInfoAsync(kind, id, cancellationToken).ConfigureAwait(false);
                await console.Out.WriteAsync(
                    $"""
                    {kind.ToString().ToLowerInvariant()}: {id}
                    virtual size: {QemuText.Size(info.Size)} ({info.Size} bytes)
                    allocated: {QemuText.Size(info.AllocatedChunks * store.ChunkSize)} ({info.AllocatedChunks} chunks of {store.ChunkSize} bytes)
                    unique data: {QemuText.Size(info.UniqueBytes)}
                    metadata pages: {info.MetadataPages}
                    generation: {info.Generation}

                    """).ConfigureAwait(false);
            }

            return 0;
        });
    }
}
