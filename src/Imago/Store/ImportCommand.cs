using Imago.Cli;
using Imago.Formats;
using Imago.Img;

namespace Imago.Store;

/// <summary><c>import FILE SNAPSHOT_ID [-f FMT] [-p]</c>: any image the format engine accepts becomes a new snapshot.</summary>
internal sealed class ImportCommand : IStoreCommand
{
    private static readonly OptionParser Parser = new(["-f"], ["-p"]);

    public string Name => "import";

    public string Usage => "FILE SNAPSHOT_ID [-f raw|qcow2|vpc] [-p]";

    public string Summary => "import a disk image (after the format engine's safety checks) as a new snapshot";

    public async Task<int> RunAsync(string dataDirectory, IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var options = Parser.Parse(args);
        var format = ImgArguments.InputFormat(options.Value("-f"));
        var operands = StoreOpener.Operands(options, "FILE", "SNAPSHOT_ID");
        var image = await DiskImages.OpenAsync(operands[0], format, cancellationToken).ConfigureAwait(false);
        await using (image.ConfigureAwait(false))
        {
            var store = await StoreOpener.OpenOrCreateAsync(dataDirectory, null, cancellationToken).ConfigureAwait(false);
            await using (store.ConfigureAwait(false))
            {
                var progress = options.Has("-p") ? new ProgressPrinter(console) : null;
                var result = await store.ImportAsync(image, operands[1], progress, cancellationToken).ConfigureAwait(false);
                await console.Out.WriteLineAsync(
                    $"imported {operands[0]} as snapshot '{operands[1]}': {result.DataChunks} data chunks, {result.NewChunks} new, "
                    + $"{QemuText.Size(result.BytesRead)} read").ConfigureAwait(false);
            }
        }

        return 0;
    }
}
