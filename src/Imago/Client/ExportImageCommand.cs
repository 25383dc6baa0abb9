using Imago.Cli;

namespace Imago.Client;

/// <summary>
/// <c>imago image export IMAGE_ID --bucket B</c>: ExportImage into the bucket (made if missing), a progress bar
/// while the task runs, then each exported object (the task's OSSObject items) downloaded with a progress bar,
/// atomically (temp file, fsync, rename). Prints each downloaded file.
/// </summary>
internal sealed class ExportImageCommand() : ClientCommand("export", "IMAGE_ID", "export an image to a bucket and download its files", 1)
{
    protected override IEnumerable<string> ValueOptions => ["--bucket", "--prefix", "--format", "--output"];

    protected override string OptionsUsage => "--bucket B [--prefix P] [--format raw|vhd|qcow2] [--output DIR_OR_FILE]";

    protected override async Task<int> RunAsync(ClientContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        var imageId = options.Operands[0];
        var bucket = Required(options, "--bucket");
        var region = context.Settings.Region;
        var output = options.Value("--output") ?? ".";
        var parameters = new List<KeyValuePair<string, string>> { new("RegionId", region), new("ImageId", imageId), new("OSSBucket", bucket) };
        if (options.Value("--prefix") is { } prefix)
        {
            parameters.Add(new("OSSPrefix", prefix));
        }

        if (options.Value("--format") is { } format)
        {
            parameters.Add(new("ImageFormat", ImageCommands.EcsFormat(format, forExport: true)));
        }

        await context.Objects.EnsureBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        var answer = await context.Ecs.CallAsync("ExportImage", parameters, cancellationToken).ConfigureAwait(false);
        var taskId = EcsApiClient.Text(answer, "TaskId") ?? throw new ClientException("ExportImage: the answer has no TaskId");
        var task = await context.Waiter.WaitForTaskAsync(region, taskId, $"exporting {imageId} (task {taskId})", cancellationToken).ConfigureAwait(false);

        var keys = task["OperationProgressSet"]?["OperationProgress"]?.AsArray()
            .SelectMany(o => o?["RelatedItemSet"]?["RelatedItem"]?.AsArray() ?? [])
            .Where(item => EcsApiClient.Text(item, "Name") == "OSSObject")
            .Select(item => EcsApiClient.Text(item, "Value"))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList() ?? [];
        if (keys.Count == 0)
        {
            throw new ClientException($"exporting {imageId}: the task names no exported object");
        }

        // One object into a file path; several (or an existing directory) into a directory, by their key's last part.
        var intoDirectory = keys.Count > 1 || Directory.Exists(output) || output.EndsWith('/');
        if (intoDirectory)
        {
            Directory.CreateDirectory(output);
        }

        foreach (var key in keys)
        {
            var file = Path.GetFullPath(intoDirectory ? Path.Combine(output, Path.GetFileName(key)) : output);
            IProgress<long>? progress = null;
            await context.Objects.GetFileAsync(bucket, key, file, total => progress = context.BytesBar($"downloading {bucket}/{key} ({total} bytes)", total),
                new Relay(() => progress), cancellationToken).ConfigureAwait(false);
            await context.Console.Out.WriteLineAsync(file).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Reports to the bar made once the download's size is known.</summary>
    private sealed class Relay(Func<IProgress<long>?> target) : IProgress<long>
    {
        public void Report(long value) => target()?.Report(value);
    }
}
