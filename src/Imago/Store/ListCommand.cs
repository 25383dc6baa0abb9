using Imago.Cli;
using Imago.Img;
using Imago.Storage.Metadata;

namespace Imago.Store;

/// <summary><c>ls</c>: every volume and snapshot with its virtual size and the data it refers to.</summary>
internal sealed class ListCommand : IStoreCommand
{
    private static readonly OptionParser Parser = new([], []);

    public string Name => "ls";

    public string Usage => "";

    public string Summary => "list volumes and snapshots (virtual size, allocated data)";

    public Task<int> RunAsync(string dataDirectory, IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        StoreOpener.Operands(Parser.Parse(args));
        return StoreOpener.WithExistingAsync(dataDirectory, cancellationToken, async store =>
        {
            await console.Out.WriteLineAsync($"{"TYPE",-9} {"ID",-32} {"VIRTUAL SIZE",12} {"ALLOCATED",12}").ConfigureAwait(false);
            foreach (var (kind, ids) in new[] { (VersionKind.Volume, store.ListVolumes()), (VersionKind.Snapshot, store.ListSnapshots()) })
            {
                foreach (var id in ids)
                {
                    var info = await store.GetInfoAsync(kind, id, cancellationToken).ConfigureAwait(false);
                    await console.Out.WriteLineAsync(
                        $"{kind.ToString().ToLowerInvariant(),-9} {id,-32} {QemuText.Size(info.Size),12} {QemuText.Size(info.AllocatedChunks * store.ChunkSize),12}")
                        .ConfigureAwait(false);
                }
            }

            return 0;
        });
    }
}
