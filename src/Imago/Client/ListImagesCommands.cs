using System.Text.Json;
using System.Text.Json.Nodes;
using Imago.Cli;

namespace Imago.Client;

/// <summary><c>imago image ls</c>: the caller's own images in the region, every status, one per line.</summary>
internal sealed class ListImagesCommand() : ClientCommand("ls", "", "your images in the region: ID, STATUS, PROGRESS, SIZE (GiB), NAME", 0)
{
    private const int PageSize = 100;
    private const int MaxPages = 1000;

    protected override async Task<int> RunAsync(ClientContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        for (var page = 1; page <= MaxPages; page++)
        {
            var answer = await context.Ecs.CallAsync("DescribeImages",
                [
                    new("RegionId", context.Settings.Region), new("ImageOwnerAlias", "self"), new("Status", OperationWaiter.AllStatuses),
                    new("PageSize", PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new("PageNumber", page.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ], cancellationToken).ConfigureAwait(false);
            var images = answer["Images"]?["Image"]?.AsArray() ?? [];
            foreach (var image in images)
            {
                await context.Console.Out.WriteLineAsync(string.Join('\t', EcsApiClient.Text(image, "ImageId"), EcsApiClient.Text(image, "Status"),
                    EcsApiClient.Text(image, "Progress"), EcsApiClient.Text(image, "Size"), EcsApiClient.Text(image, "ImageName"))).ConfigureAwait(false);
            }

            if (images.Count < PageSize)
            {
                break;
            }
        }

        return 0;
    }
}

/// <summary><c>imago image show IMAGE_ID</c>: the image as DescribeImages gives it, as indented JSON.</summary>
internal sealed class ShowImageCommand() : ClientCommand("show", "IMAGE_ID", "one image's attributes as JSON", 1)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    protected override async Task<int> RunAsync(ClientContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        var answer = await context.Ecs.CallAsync("DescribeImages",
            [new("RegionId", context.Settings.Region), new("ImageId", options.Operands[0]), new("Status", OperationWaiter.AllStatuses)],
            cancellationToken).ConfigureAwait(false);
        var image = answer["Images"]?["Image"]?.AsArray().FirstOrDefault() as JsonObject
            ?? throw new ClientException($"image {options.Operands[0]} does not exist in {context.Settings.Region}");
        await context.Console.Out.WriteLineAsync(image.ToJsonString(Indented)).ConfigureAwait(false);
        return 0;
    }
}
