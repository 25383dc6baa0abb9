using Imago.Cli;
using Imago.Core.Buckets;
using Imago.Formats.Conversion;
using Imago.Img;

namespace Imago.Admin;

/// <summary><c>imago admin bucket put BUCKET KEY FILE</c>: upload a local file as an object, with progress.</summary>
internal sealed class PutObjectCommand() : BucketAdminCommand("put", "BUCKET KEY FILE", "upload FILE as the object KEY (replaces it atomically; -p: progress off a terminal)")
{
    protected override IEnumerable<string> Flags => ["-p"];

    protected override async Task<int> RunAsync(IBucketStore store, string region, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
    {
        var (bucket, key, file) = (options.Operands[0], options.Operands[1], options.Operands[2]);
        BucketNames.Require(region, bucket);
        ObjectKeys.Require(key); // a bad name is the answer even when FILE is missing too
        var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using (source.ConfigureAwait(false))
        {
            var progress = ShowsProgress(options, console) ? new BytesProgress(new ProgressPrinter(console), source.Length) : null;
            var info = await store.PutObjectAsync(region, bucket, key, source, progress, cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync($"{Printable(info.Key)}: {info.Size} bytes, ETag {info.ETag}").ConfigureAwait(false);
        }

        return 0;
    }
}

/// <summary>
/// <c>imago admin bucket get BUCKET KEY FILE</c>: download an object into FILE, written as convert writes its
/// output: to FILE.tmp-XXXXXXXX, flushed, then renamed over FILE, so FILE is never left half-written.
/// </summary>
internal sealed class GetObjectCommand() : BucketAdminCommand("get", "BUCKET KEY FILE", "download the object KEY into FILE (-p: progress off a terminal)")
{
    protected override IEnumerable<string> Flags => ["-p"];

    protected override async Task<int> RunAsync(IBucketStore store, string region, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
    {
        var (bucket, key, file) = (options.Operands[0], options.Operands[1], Path.GetFullPath(options.Operands[2]));
        var source = await store.OpenReadAsync(region, bucket, key, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var progress = ShowsProgress(options, console) ? new BytesProgress(new ProgressPrinter(console), source.Length) : null;
            var temporary = $"{file}.tmp-{Guid.NewGuid().ToString("N")[..8]}";
            try
            {
                var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await using (target.ConfigureAwait(false))
                {
                    await StreamCopy.CopyAsync(source, target, progress, cancellationToken).ConfigureAwait(false);
                    target.Flush(flushToDisk: true);
                }

                File.Move(temporary, file, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }

            await console.Out.WriteLineAsync($"{Printable(key)}: {source.Length} bytes to {file}").ConfigureAwait(false);
        }

        return 0;
    }
}

/// <summary>Bytes moved so far, shown with the img tool's progress bar.</summary>
internal sealed class BytesProgress(IProgress<ConvertProgress> printer, long total) : IProgress<long>
{
    public void Report(long value) => printer.Report(new ConvertProgress(value, total));
}
