using Imago.Cli;

namespace Imago.Store;

/// <summary><c>scrub</c>: re-hash every chunk and check every reference; exit 2 when anything is corrupt or missing.</summary>
internal sealed class ScrubCommand : IStoreCommand
{
    /// <summary>As qemu-img check: 2 means corruption was found (1 stays "the command failed").</summary>
    public const int CorruptExitCode = 2;

    private static readonly OptionParser Parser = new([], []);

    public string Name => "scrub";

    public string Usage => "";

    public string Summary => "verify every chunk against its hash and every reference (exit 2 on corruption)";

    public Task<int> RunAsync(string dataDirectory, IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        StoreOpener.Operands(Parser.Parse(args));
        return StoreOpener.WithExistingAsync(dataDirectory, cancellationToken, async store =>
        {
            var report = await store.ScrubAsync(cancellationToken).ConfigureAwait(false);
            foreach (var problem in report.Corrupt.Concat(report.Missing))
            {
                await console.Out.WriteLineAsync(problem.Problem).ConfigureAwait(false);
            }

            await console.Out.WriteLineAsync(
                $"{report.ChunksChecked} chunks checked: {report.Corrupt.Count} corrupt, {report.Missing.Count} missing"
                + (report.IsClean ? "; no errors were found" : "")).ConfigureAwait(false);
            return report.IsClean ? 0 : CorruptExitCode;
        });
    }
}
