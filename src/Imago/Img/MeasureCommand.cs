using Imago.Cli;
using Imago.Formats;
using Imago.Formats.Conversion;

namespace Imago.Img;

/// <summary><c>imago img measure [-f FMT] -O FMT [-o OPTS] [--output human|json] (--size N | SRC)</c>.</summary>
internal sealed class MeasureCommand : ICommand
{
    private static readonly OptionParser Parser = new(["-f", "-O", "-o", "--output", "--size"], []);

    public string Name => "measure";

    public string Summary => "how large a converted (or new) image would be";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var options = Parser.Parse(args);
        var json = ImgArguments.IsJson(options);
        var inputFormat = ImgArguments.InputFormat(options.Value("-f"));
        var outputFormat = ImgArguments.OutputFormat(options.Value("-O"));
        var createOptions = ImgArguments.CreateOptions(outputFormat, options.Values("-o"), compress: false);
        var sizeText = options.Value("--size");
        MeasureResult result;
        if (sizeText is not null)
        {
            if (options.Operands.Count > 0)
            {
                throw new UsageException("--size N cannot be used together with a filename");
            }

            result = await ImageMeasurer.MeasureAsync(outputFormat, createOptions, null, SizeParser.Parse(sizeText), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var path = options.Operands.Count == 1 ? options.Operands[0]
                : throw new UsageException("either --size N or one filename must be specified");
            var image = await DiskImages.OpenAsync(path, inputFormat, cancellationToken).ConfigureAwait(false);
            await using (image.ConfigureAwait(false))
            {
                result = await ImageMeasurer.MeasureAsync(outputFormat, createOptions, image, null, cancellationToken).ConfigureAwait(false);
            }
        }

        var text = json
            ? QemuText.Json(w =>
            {
                w.WriteStartObject();
                if (result.Bitmaps is { } bitmaps)
                {
                    w.WriteNumber("bitmaps", bitmaps);
                }

                w.WriteNumber("required", result.Required);
                w.WriteNumber("fully-allocated", result.FullyAllocated);
                w.WriteEndObject();
            })
            : $"required size: {result.Required}\nfully allocated size: {result.FullyAllocated}\n"
              + (result.Bitmaps is { } b ? $"bitmaps size: {b}\n" : "");
        await console.Out.WriteAsync(text).ConfigureAwait(false);
        return 0;
    }
}
