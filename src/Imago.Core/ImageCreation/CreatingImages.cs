using Imago.Core.Tasks;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.ImageCreation;

/// <summary>What the tasks that fill a Creating image (CreateImage, ImportImage) do to it: move its Progress, or fail it.</summary>
internal static class CreatingImages
{
    /// <summary>Sets the image's Progress (while it is Creating) and the task's TaskProcess to <paramref name="percent"/>.</summary>
    public static async Task ReportProgressAsync(ImagoDatabase database, TaskExecution task, string imageId, int percent, CancellationToken cancellationToken)
    {
        // The task first: a client that sees the image's progress move and then asks for the task finds it at least
        // as far along, never behind.
        await task.ReportProgressAsync(percent, cancellationToken).ConfigureAwait(false);
        await using var db = database.CreateContext();
        await db.Images.Where(i => i.RegionId == task.RegionId && i.Id == imageId && i.Status == ImageStatuses.Creating)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Progress, percent).SetProperty(i => i.Version, i => i.Version + 1), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// One disk's size and Progress while the image is Creating (an import fills its disks one after the other);
    /// a null <paramref name="sizeGiB"/> leaves the size as it is.
    /// </summary>
    public static async Task ReportDiskAsync(ImagoDatabase database, string regionId, string imageId, int index, int percent, int? sizeGiB,
        CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var disk = db.ImageDiskMappings.Where(m => m.RegionId == regionId && m.ImageId == imageId && m.Index == index
            && db.Images.Any(i => i.RegionId == regionId && i.Id == imageId && i.Status == ImageStatuses.Creating));
        var progress = Math.Clamp(percent, 0, 100);
        await disk.ExecuteUpdateAsync(s => s.SetProperty(m => m.Progress, progress).SetProperty(m => m.SizeGiB, m => sizeGiB ?? m.SizeGiB), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Creating → CreateFailed (an image that already left Creating is left alone).</summary>
    public static async Task FailAsync(ImagoDatabase database, string regionId, string imageId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        await db.Images.Where(i => i.RegionId == regionId && i.Id == imageId && i.Status == ImageStatuses.Creating)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, ImageStatuses.CreateFailed)
                .SetProperty(i => i.Version, i => i.Version + 1), cancellationToken)
            .ConfigureAwait(false);
    }
}
