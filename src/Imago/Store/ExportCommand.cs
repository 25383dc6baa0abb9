using Imago.Cli;
using Imago.Img;

namespace Imago.Store;

/// <summary><c>export SNAPSHOT_ID FILE -O FMT [-o OPTS] [-p]</c>: a snapshot written out through the format engine.</summary>
internal sealed class ExportCommand : IStoreCommand
{
    private static readonly OptionParser Parser = new(["-O", "-o"], ["-p", "-c"]);

    public string Name => "export";

    public string Usage => "SNAPSHOT_ID FILE -O raw|qcow2|vpc [-o OPTIONS] [-c] [-p]";

    public string Summary => "write a snapshot out as a raw, qcow2 or VHD file (options as in imago img convert)";

    public Task<int> RunAsync(string dataDirectory, IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var options = Parser.Parse(args);
        var format = ImgArguments.OutputFormat(options.Value("-O"));
        var createOptions = ImgArguments.CreateOptions(format, options.Values("-o"), options.Has("-c"));
        var operands = StoreOpener.Operands(options, "SNAPSHOT_ID", "FILE");
        return StoreOpener.WithExistingAsync(dataDirectory, cancellationToken, async store =>
        {
            var progress = options.Has("-p") ? new ProgressPrinter(console) : null;
            await store.ExportAsync(operands[0], operands[1], format, createOptions, progress, cancellationToken).ConfigureAwait(false);
            return 0;
        });
    }
}
