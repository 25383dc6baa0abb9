using Imago.Cli;

namespace Imago.Client;

/// <summary>
/// <c>imago image import FILE --bucket B</c>: one step from a local disk file to an Available image. Makes the
/// bucket if it is missing, uploads FILE (and each --data-disk) with a progress bar, calls ImportImage, waits for
/// its task with a progress bar and prints the ImageId. --format declares FILE's format; data disks are detected.
/// </summary>
internal sealed class ImportImageCommand() : ClientCommand("import", "FILE", "upload FILE to a bucket and import it as an image; prints the ImageId", 1)
{
    protected override IEnumerable<string> ValueOptions =>
        ["--bucket", "--key", "--name", "--description", "--format", "--platform", "--os-type", "--architecture", "--boot-mode", "--data-disk"];

    protected override string OptionsUsage =>
        "--bucket B [--key K] [--name N] [--description D] [--format raw|vhd|qcow2] [--platform P] [--os-type linux|windows] [--architecture A] [--boot-mode M] [--data-disk FILE ...]";

    protected override async Task<int> RunAsync(ClientContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        var bucket = Required(options, "--bucket");
        var system = options.Operands[0];
        var disks = new List<(string File, string Key)> { (system, options.Value("--key") ?? Path.GetFileName(system)) };
        foreach (var data in options.Values("--data-disk"))
        {
            disks.Add((data, Path.GetFileName(data)));
        }

        var duplicate = disks.GroupBy(d => d.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new UsageException($"two disks would be uploaded as '{duplicate.Key}': rename one file (or set --key)");
        }

        foreach (var (file, _) in disks)
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException(null, file);
            }
        }

        var format = options.Value("--format") is { } f ? ImageCommands.EcsFormat(f, forExport: false) : null;
        var region = context.Settings.Region;
        await context.Objects.EnsureBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        foreach (var (file, key) in disks)
        {
            var size = new FileInfo(file).Length;
            var progress = context.BytesBar($"uploading {file} to {bucket}/{key} ({size} bytes)", size);
            await context.Objects.PutFileAsync(bucket, key, file, progress, cancellationToken).ConfigureAwait(false);
        }

        var parameters = new List<KeyValuePair<string, string>> { new("RegionId", region) };
        for (var i = 0; i < disks.Count; i++)
        {
            var n = i + 1;
            parameters.Add(new($"DiskDeviceMapping.{n}.OSSBucket", bucket));
            parameters.Add(new($"DiskDeviceMapping.{n}.OSSObject", disks[i].Key));
            if (format is not null && n == 1)
            {
                parameters.Add(new($"DiskDeviceMapping.{n}.Format", format));
            }
        }

        foreach (var (option, parameter) in new[]
                 {
                     ("--name", "ImageName"), ("--description", "Description"), ("--platform", "Platform"), ("--os-type", "OSType"),
                     ("--architecture", "Architecture"), ("--boot-mode", "BootMode"),
                 })
        {
            if (options.Value(option) is { } value)
            {
                parameters.Add(new(parameter, value));
            }
        }

        var answer = await context.Ecs.CallAsync("ImportImage", parameters, cancellationToken).ConfigureAwait(false);
        var imageId = EcsApiClient.Text(answer, "ImageId") ?? throw new ClientException("ImportImage: the answer has no ImageId");
        var taskId = EcsApiClient.Text(answer, "TaskId") ?? throw new ClientException("ImportImage: the answer has no TaskId");
        await context.Waiter.WaitForTaskAsync(region, taskId, $"importing {imageId} (task {taskId})", cancellationToken).ConfigureAwait(false);
        var image = await OperationWaiter.DescribeImageAsync(context.Ecs, region, imageId, cancellationToken).ConfigureAwait(false);
        if (EcsApiClient.Text(image, "Status") is not "Available")
        {
            throw new ClientException($"importing {imageId}: the image is {EcsApiClient.Text(image, "Status") ?? "gone"}");
        }

        await context.Console.Out.WriteLineAsync(imageId).ConfigureAwait(false);
        return 0;
    }
}
