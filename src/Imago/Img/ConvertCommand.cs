using Imago.Cli;
using Imago.Formats;
using Imago.Formats.Conversion;

namespace Imago.Img;

/// <summary>
/// <c>imago img convert [-f FMT] -O FMT [-o OPTS] [-t CACHE] [-c] [-p] [-q] SRC DST</c>. Writes DST.tmp-XXXXXXXX and
/// renames it over DST only when everything is written (and, unless -t unsafe, flushed to stable storage).
/// </summary>
internal sealed class ConvertCommand : ICommand
{
    private static readonly OptionParser Parser = new(["-f", "-O", "-o", "-t"], ["-c", "-p", "-q"]);

    public string Name => "convert";

    public string Summary => "convert an image to raw, qcow2 or vpc (VHD), skipping zeros";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var options = Parser.Parse(args);
        var inputFormat = ImgArguments.InputFormat(options.Value("-f"));
        var outputFormat = ImgArguments.OutputFormat(options.Value("-O"));
        var createOptions = ImgArguments.CreateOptions(outputFormat, options.Values("-o"), options.Has("-c")) with
        {
            FlushToStableStorage = FlushesFor(options.Value("-t")),
        };
        if (options.Operands.Count != 2)
        {
            throw new UsageException("expecting a source and a destination file name");
        }

        var (source, destination) = (options.Operands[0], options.Operands[1]);
        var progress = options.Has("-p") && !options.Has("-q") ? new ProgressPrinter(console) : null;
        var image = await DiskImages.OpenAsync(source, inputFormat, cancellationToken).ConfigureAwait(false);
        await using (image.ConfigureAwait(false))
        {
            await ImageConverter.ConvertToFileAsync(image, destination, outputFormat, createOptions, progress,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>
    /// qemu-img's -t cache modes, reduced to what matters for a one-pass write: "writeback" (our default) flushes
    /// the finished image to stable storage before the rename; "unsafe" (qemu-img convert's default) does not.
    /// </summary>
    private static bool FlushesFor(string? cacheMode) => cacheMode switch
    {
        null or "writeback" or "none" or "directsync" or "writethrough" => true,
        "unsafe" => false,
        _ => throw new UsageException($"invalid cache mode '{cacheMode}' (use writeback or unsafe)"),
    };
}
