using Imago.Cli;

namespace Imago.Store;

/// <summary><c>snapshot VOLUME_ID SNAPSHOT_ID</c>: an immutable copy of a volume, costing metadata only.</summary>
internal sealed class SnapshotCommand : IStoreCommand
{
    private static readonly OptionParser Parser = new([], []);

    public string Name => "snapshot";

    public string Usage => "VOLUME_ID SNAPSHOT_ID";

    public string Summary => "snapshot a volume (shares every chunk; costs metadata, not data)";

    public Task<int> RunAsync(string dataDirectory, IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var operands = StoreOpener.Operands(Parser.Parse(args), "VOLUME_ID", "SNAPSHOT_ID");
        return StoreOpener.WithExistingAsync(dataDirectory, cancellationToken, async store =>
        {
            await store.SnapshotAsync(operands[0], operands[1], cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync($"snapshot '{operands[1]}' of volume '{operands[0]}' created").ConfigureAwait(false);
            return 0;
        });
    }
}
