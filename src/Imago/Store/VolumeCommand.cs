using Imago.Cli;
using Imago.Formats;

namespace Imago.Store;

/// <summary>
/// <c>volume create ID SIZE</c> (an empty volume; SIZE takes k, M, G, T suffixes) and
/// <c>volume from-snapshot SNAPSHOT_ID ID [SIZE]</c> (a clone sharing the snapshot's chunks, optionally larger).
/// </summary>
internal sealed class VolumeCommand : IStoreCommand
{
    private static readonly OptionParser Parser = new([], []);

    public string Name => "volume";

    public string Usage => "create ID SIZE | from-snapshot SNAPSHOT_ID ID [SIZE]";

    public string Summary => "create an empty volume, or a volume from a snapshot (a clone: metadata only)";

    public async Task<int> RunAsync(string dataDirectory, IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var options = Parser.Parse(args);
        var operands = options.Operands;
        switch (operands.Count > 0 ? operands[0] : null)
        {
            case "create" when operands.Count == 3:
            {
                var size = SizeParser.Parse(operands[2]);
                var store = await StoreOpener.OpenOrCreateAsync(dataDirectory, null, cancellationToken).ConfigureAwait(false);
                await using (store.ConfigureAwait(false))
                {
                    await store.CreateVolumeAsync(operands[1], size, cancellationToken).ConfigureAwait(false);
                }

                await console.Out.WriteLineAsync($"volume '{operands[1]}' created ({size} bytes)").ConfigureAwait(false);
                return 0;
            }

            case "from-snapshot" when operands.Count is 3 or 4:
            {
                long? size = operands.Count == 4 ? SizeParser.Parse(operands[3]) : null;
                var store = await StoreOpener.OpenExistingAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
                await using (store.ConfigureAwait(false))
                {
                    await store.CreateVolumeFromSnapshotAsync(operands[1], operands[2], size, cancellationToken).ConfigureAwait(false);
                }

                await console.Out.WriteLineAsync($"volume '{operands[2]}' created from snapshot '{operands[1]}'").ConfigureAwait(false);
                return 0;
            }

            default:
                throw new UsageException($"expecting: volume {Usage}");
        }
    }
}
