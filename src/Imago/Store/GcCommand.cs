using Imago.Cli;

namespace Imago.Store;

/// <summary><c>gc</c>: mark and sweep; removes the chunks no volume or snapshot refers to.</summary>
internal sealed class GcCommand : IStoreCommand
{
    private static readonly OptionParser Parser = new([], []);

    public string Name => "gc";

    public string Usage => "";

    public string Summary => "delete chunks that no volume or snapshot refers to";

    public Task<int> RunAsync(string dataDirectory, IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        StoreOpener.Operands(Parser.Parse(args));
        return StoreOpener.WithExistingAsync(dataDirectory, cancellationToken, async store =>
        {
            var report = await store.CollectGarbageAsync(cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync(
                $"{report.ChunksScanned} chunks scanned, {report.ChunksDeleted} deleted, {report.LiveChunks} live").ConfigureAwait(false);
            return 0;
        });
    }
}
