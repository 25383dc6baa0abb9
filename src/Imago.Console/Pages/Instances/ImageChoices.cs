using Imago.Core;
using Imago.Core.Images;
using Imago.Data.Entities;

namespace Imago.WebConsole.Pages.Instances;

/// <summary>
/// The images a caller may launch from or put on a system disk: the Available images DescribeImages shows it in the
/// region (public, own, shared, Marketplace), newest first. The Core service still decides (e.g. a Marketplace image
/// without a subscription is refused with the API's message).
/// </summary>
public static class ImageChoices
{
    /// <summary>DescribeImages' largest page; more usable images than this are reached by id on the image pages.</summary>
    private const int MaxChoices = 100;

    public static async Task<IReadOnlyList<ImageEntity>> LoadAsync(ImageQueries queries, Caller caller, string region, CancellationToken cancellationToken)
    {
        var page = await queries.DescribeAsync(caller, region, new ImageQuery { Statuses = [ImageStatuses.Available], PageSize = MaxChoices },
            dryRun: false, cancellationToken).ConfigureAwait(false);
        return [.. page.Images.Select(v => v.Image)];
    }
}
