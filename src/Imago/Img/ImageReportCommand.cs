using Imago.Cli;
using Imago.Formats;

namespace Imago.Img;

/// <summary>
/// The shape of the commands that open one image and print one report about it (info, map):
/// <c>[-f FMT] [--output human|json] FILE</c>, the image opened through the inspector, the report written at once.
/// </summary>
internal abstract class ImageReportCommand : ICommand
{
    private static readonly OptionParser Parser = new(["-f", "--output"], []);

    public abstract string Name { get; }

    public abstract string Summary { get; }

    public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var arguments = ImgArguments.SingleImage(Parser.Parse(args));
        var image = await DiskImages.OpenAsync(arguments.Path, arguments.Format, cancellationToken).ConfigureAwait(false);
        await using (image.ConfigureAwait(false))
        {
            var report = await ReportAsync(image, arguments.Path, arguments.Json, cancellationToken).ConfigureAwait(false);
            await console.Out.WriteAsync(report).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>The whole report, human or json, for the open <paramref name="image"/> at <paramref name="path"/>.</summary>
    protected abstract Task<string> ReportAsync(IDiskImage image, string path, bool json, CancellationToken cancellationToken);
}
