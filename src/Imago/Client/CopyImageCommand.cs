using Imago.Cli;

namespace Imago.Client;

/// <summary>
/// <c>imago image copy IMAGE_ID --to REGION</c>: CopyImage; prints the copy's ImageId. With --wait, follows the
/// copy's Progress in the destination region with a progress bar until it is Available (or fails).
/// </summary>
internal sealed class CopyImageCommand() : ClientCommand("copy", "IMAGE_ID", "copy an image to another region; prints the new ImageId", 1)
{
    protected override IEnumerable<string> ValueOptions => ["--to", "--name", "--description"];

    protected override IEnumerable<string> OwnFlags => ["--wait"];

    protected override string OptionsUsage => "--to REGION [--name N] [--description D] [--wait]";

    protected override async Task<int> RunAsync(ClientContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        var destination = Required(options, "--to");
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("RegionId", context.Settings.Region), new("ImageId", options.Operands[0]), new("DestinationRegionId", destination),
        };
        if (options.Value("--name") is { } name)
        {
            parameters.Add(new("DestinationImageName", name));
        }

        if (options.Value("--description") is { } description)
        {
            parameters.Add(new("DestinationDescription", description));
        }

        var answer = await context.Ecs.CallAsync("CopyImage", parameters, cancellationToken).ConfigureAwait(false);
        var copyId = EcsApiClient.Text(answer, "ImageId") ?? throw new ClientException("CopyImage: the answer has no ImageId");
        if (options.Has("--wait"))
        {
            await context.Waiter.WaitForImageAsync(destination, copyId, $"copying to {destination} as {copyId}", cancellationToken).ConfigureAwait(false);
        }

        await context.Console.Out.WriteLineAsync(copyId).ConfigureAwait(false);
        return 0;
    }
}
