using System.Globalization;
using Imago.Cli;
using Imago.Core.Buckets;

namespace Imago.Admin;

/// <summary>
/// <c>imago admin bucket create|rm|ls|put|get|stat|rm-object</c>: the operator's view of the embedded object store
/// (docs/buckets.md). Safe while <c>imago serve</c> runs: see <see cref="BucketAdminCommand"/>.
/// </summary>
public static class BucketCommands
{
    public static CommandGroup Create() => new("bucket", "create, list and delete buckets; put, get, stat and delete objects (safe while serve runs)",
    [
        new CreateCommand(),
        new RemoveCommand(),
        new ListCommand(),
        new PutObjectCommand(),
        new GetObjectCommand(),
        new StatCommand(),
        new RemoveObjectCommand(),
    ]);

    internal static string Time(DateTime time) => time.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>Without --owner an operator bucket (every account may read and write objects in it); with it, that account's alone.</summary>
    private sealed class CreateCommand() : BucketAdminCommand("create", "BUCKET", "a new empty bucket (3-63 of a-z 0-9 -); --owner ACCOUNT_ID makes it that account's")
    {
        protected override IEnumerable<string> ValueOptions => ["--owner"];

        protected override async Task<int> RunAsync(IBucketStore store, string region, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
        {
            long? owner = null;
            if (options.Value("--owner") is { } text)
            {
                owner = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
                    ? id
                    : throw new UsageException($"--owner '{BucketException.Printable(text)}' is not an account id (a positive number, see imago admin account list)");
            }

            var bucket = await store.CreateBucketAsync(region, options.Operands[0], owner, cancellationToken).ConfigureAwait(false);
            var whose = owner is { } o ? $", owned by account {o}" : "";
            await console.Out.WriteLineAsync($"{bucket.Name}: Created in {bucket.Region}{whose}").ConfigureAwait(false);
            return 0;
        }
    }

    private sealed class RemoveCommand() : BucketAdminCommand("rm", "BUCKET", "delete an empty bucket")
    {
        protected override async Task<int> RunAsync(IBucketStore store, string region, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
        {
            await store.DeleteBucketAsync(region, options.Operands[0], cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync($"{options.Operands[0]}: Deleted").ConfigureAwait(false);
            return 0;
        }
    }

    /// <summary>Without a bucket: the region's buckets. With one: its objects (size, last modified, ETag, key), all pages.</summary>
    private sealed class ListCommand() : BucketAdminCommand("ls", "[BUCKET [PREFIX]]", "the region's buckets, or a bucket's objects under PREFIX", optionalOperands: 2)
    {
        protected override async Task<int> RunAsync(IBucketStore store, string region, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
        {
            if (options.Operands.Count == 0)
            {
                foreach (var bucket in await store.ListBucketsAsync(region, cancellationToken).ConfigureAwait(false))
                {
                    await console.Out.WriteLineAsync($"{Time(bucket.CreationTime)}\t{bucket.Name}").ConfigureAwait(false);
                }

                return 0;
            }

            string? marker = null;
            for (var page = 0; page < int.MaxValue; page++)
            {
                var listing = await store.ListObjectsAsync(region, options.Operands[0], options.Operands.ElementAtOrDefault(1), marker, 1000, cancellationToken)
                    .ConfigureAwait(false);
                foreach (var item in listing.Objects)
                {
                    await console.Out.WriteLineAsync($"{item.Size}\t{Time(item.LastModified)}\t{item.ETag}\t{Printable(item.Key)}").ConfigureAwait(false);
                }

                if (!listing.IsTruncated)
                {
                    break;
                }

                marker = listing.NextMarker;
            }

            return 0;
        }
    }

    private sealed class StatCommand() : BucketAdminCommand("stat", "BUCKET KEY", "an object's size, ETag (MD5), SHA-256 and last-modified time")
    {
        protected override async Task<int> RunAsync(IBucketStore store, string region, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
        {
            var info = await store.StatObjectAsync(region, options.Operands[0], options.Operands[1], cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync($"Key:          {Printable(info.Key)}").ConfigureAwait(false);
            await console.Out.WriteLineAsync($"Size:         {info.Size}").ConfigureAwait(false);
            await console.Out.WriteLineAsync($"ETag:         {info.ETag}").ConfigureAwait(false);
            await console.Out.WriteLineAsync($"SHA-256:      {info.Sha256 ?? "(not kept: stored in parts)"}").ConfigureAwait(false);
            await console.Out.WriteLineAsync($"LastModified: {Time(info.LastModified)}").ConfigureAwait(false);
            return 0;
        }
    }

    private sealed class RemoveObjectCommand() : BucketAdminCommand("rm-object", "BUCKET KEY", "delete an object")
    {
        protected override async Task<int> RunAsync(IBucketStore store, string region, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
        {
            await store.DeleteObjectAsync(region, options.Operands[0], options.Operands[1], cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync($"{Printable(options.Operands[1])}: Deleted").ConfigureAwait(false);
            return 0;
        }
    }
}
