using Imago.Cli;
using Imago.Formats;
using Imago.Formats.Conversion;

namespace Imago.Img;

/// <summary>
/// <c>imago img compare [-f FMT] [-F FMT] [-q] A B</c>: qemu-img compare's non-strict mode. Exit 0 identical,
/// 1 different ("Content mismatch at offset N!"), 2 on any error.
/// </summary>
internal sealed class CompareCommand : ICommand
{
    private static readonly OptionParser Parser = new(["-f", "-F"], ["-q"]);

    public string Name => "compare";

    public string Summary => "compare the guest-visible content of two images";

    public int ErrorExitCode => 2;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var options = Parser.Parse(args);
        var firstFormat = ImgArguments.InputFormat(options.Value("-f"));
        var secondFormat = ImgArguments.InputFormat(options.Value("-F"));
        if (options.Operands.Count != 2)
        {
            throw new UsageException("expecting two image file names");
        }

        var quiet = options.Has("-q");
        var first = await DiskImages.OpenAsync(options.Operands[0], firstFormat, cancellationToken).ConfigureAwait(false);
        await using (first.ConfigureAwait(false))
        {
            var second = await DiskImages.OpenAsync(options.Operands[1], secondFormat, cancellationToken).ConfigureAwait(false);
            await using (second.ConfigureAwait(false))
            {
                var result = await ImageComparer.CompareAsync(first, second, cancellationToken).ConfigureAwait(false);
                var text = (result.SizeMismatch ? "Warning: Image size mismatch!\n" : "")
                    + (result.FirstDifference is { } offset ? $"Content mismatch at offset {offset}!\n" : "Images are identical.\n");
                if (!quiet)
                {
                    await console.Out.WriteAsync(text).ConfigureAwait(false);
                }

                return result.Identical ? 0 : 1;
            }
        }
    }
}
