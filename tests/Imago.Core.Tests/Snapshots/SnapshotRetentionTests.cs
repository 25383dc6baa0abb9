using Imago.Core.ImageCreation;
using Imago.Core.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Tests.Snapshots;

public sealed class SnapshotRetentionTests
{
    private const long Alice = 1_000_000_000_000_001;

    [Fact]
    public async Task SnapshotsPastTheirRetentionAreReleasedUnlessAnImageMapsThem()
    {
        using var dir = new TempDirectory();
        await using var env = await SnapshotHarness.OpenAsync(dir.Path);
        var caller = new Caller(Alice);
        var disk = await env.AddDiskAsync(Alice, "system", 20);
        async Task<string> Snapshot(int? retentionDays)
        {
            var id = await env.Snapshots.CreateAsync(caller, new CreateSnapshotRequest(null, disk.Id, RetentionDays: retentionDays), CancellationToken.None);
            await env.WaitForSnapshotAsync(id, SnapshotStatuses.Accomplished);
            return id;
        }

        var expired = await Snapshot(2);
        var fresh = await Snapshot(5);
        var forever = await Snapshot(null);
        var mapped = await Snapshot(1);
        var imageId = await env.Images.CreateAsync(caller, new CreateImageRequest(SnapshotHarness.Region, SnapshotId: mapped), CancellationToken.None);
        await env.WaitForImageAsync(imageId, ImageStatuses.Available);
        await using (var db = env.Database.CreateContext())
        {
            var threeDaysAgo = DateTime.UtcNow.AddDays(-3);
            await db.Snapshots.ExecuteUpdateAsync(s => s.SetProperty(x => x.CreatedAt, threeDaysAgo));
        }

        Assert.Equal(1, await env.Retention.SweepAsync(CancellationToken.None));
        Assert.Null(await env.FindSnapshotAsync(expired));
        Assert.False(env.Store.SnapshotExists(expired));
        foreach (var kept in new[] { fresh, forever, mapped })
        {
            Assert.NotNull(await env.FindSnapshotAsync(kept));
            Assert.True(env.Store.SnapshotExists(kept));
        }

        // Once the image is gone, the mapped snapshot is released too.
        await using (var db = env.Database.CreateContext())
        {
            db.Images.Remove((await db.Images.FindAsync(SnapshotHarness.Region, imageId))!);
            await db.SaveChangesAsync();
        }

        Assert.Equal(1, await env.Retention.SweepAsync(CancellationToken.None));
        Assert.Null(await env.FindSnapshotAsync(mapped));
    }
}
