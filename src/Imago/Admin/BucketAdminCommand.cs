using Imago.Cli;
using Imago.Core.Buckets;
using Imago.Core.Regions;
using Imago.Serve;

namespace Imago.Admin;

/// <summary>
/// What every <c>imago admin bucket</c> command shares: <c>--data DIR --region R</c>, the data directory's bucket
/// store, and one-line refusals.
/// <para>
/// These commands take no lock and never open the database or the block stores: they touch only
/// <c>DATA/buckets</c>, whose every change is one atomic rename (docs/buckets.md), so they run while
/// <c>imago serve</c> does. <c>--db</c> is accepted (and unused) so the same options work for every admin command.
/// </para>
/// <para>
/// Regions: <c>--region</c> must be a region id, and when the data directory has block stores
/// (<c>DATA/regions/*</c>, made by serve) one of those, so a typo does not create a bucket in a region nobody serves.
/// A data directory without them (no serve yet) takes any region id.
/// </para>
/// </summary>
internal abstract class BucketAdminCommand(string name, string operands, string summary, int optionalOperands = 0) : ICommand
{
    public string Name => name;

    public string Summary => $"--region R {operands} [--data DIR]: {summary}";

    /// <summary>Flags beyond --data/--db/--region (put and get take -p).</summary>
    protected virtual IEnumerable<string> Flags => [];

    /// <summary>Options with a value beyond --data/--db/--region (create takes --owner).</summary>
    protected virtual IEnumerable<string> ValueOptions => [];

    public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var options = new OptionParser([.. ServeSettings.DataOptions, "--region", .. ValueOptions], Flags).Parse(args);
        var required = operands.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length - optionalOperands;
        if (options.Operands.Count < required || options.Operands.Count > required + optionalOperands || options.Value("--region") is not { } region)
        {
            throw new UsageException($"usage: imago admin bucket {name} --region R {operands} [--data DIR]");
        }

        var dataDirectory = ServeSettings.DataDirectoryOf(options);
        RequireRegion(dataDirectory, region);
        try
        {
            return await RunAsync(DirectoryBucketStore.Open(dataDirectory), region, options, console, cancellationToken).ConfigureAwait(false);
        }
        catch (BucketException e)
        {
            throw new UsageException(e.Message);
        }
    }

    protected abstract Task<int> RunAsync(IBucketStore store, string region, ParsedOptions options, CommandConsole console,
        CancellationToken cancellationToken);

    /// <summary>Whether to draw progress: on a terminal always, elsewhere with -p (lines, as convert -p prints them).</summary>
    protected static bool ShowsProgress(ParsedOptions options, CommandConsole console) => console.ErrorIsTerminal || options.Has("-p");

    /// <summary>Keys may hold control characters: shown as '?' so one object is one line.</summary>
    protected static string Printable(string key) => string.Create(key.Length, key, static (span, k) =>
    {
        for (var i = 0; i < k.Length; i++)
        {
            span[i] = char.IsControl(k[i]) ? '?' : k[i];
        }
    });

    private static void RequireRegion(string dataDirectory, string region)
    {
        if (!RegionCatalog.IsRegionId(region))
        {
            throw new UsageException($"--region '{BucketException.Printable(region)}' is not a region id (lower-case letters, digits and dashes, like cn-hangzhou)");
        }

        var regionsDirectory = Path.Combine(dataDirectory, "regions");
        var served = Directory.Exists(regionsDirectory)
            ? Directory.GetDirectories(regionsDirectory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray()
            : [];
        if (served.Length > 0 && !served.Contains(region, StringComparer.Ordinal))
        {
            throw new UsageException($"region {region} is not one of this data directory's regions ({string.Join(", ", served)})");
        }
    }
}
