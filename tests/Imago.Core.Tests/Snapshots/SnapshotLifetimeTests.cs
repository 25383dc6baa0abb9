using Imago.Core.Errors;
using Imago.Core.ImageCreation;
using Imago.Core.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Tests.Snapshots;

/// <summary>
/// How long snapshots live: DeleteSnapshot racing CreateImage on the same snapshot never leaves an image that maps a
/// deleted snapshot, and RetentionDays release snapshots no image needs.
/// </summary>
public sealed class SnapshotLifetimeTests
{
    private const long Alice = 1_000_000_000_000_001;

    [Fact]
    public async Task DeleteAndCreateImageNeverLeaveAnImageWithoutItsSnapshot()
    {
        using var dir = new TempDirectory();
        await using var env = await SnapshotHarness.OpenAsync(dir.Path);
        var caller = new Caller(Alice);
        var disk = await env.AddDiskAsync(Alice, "system", 20);
        for (var round = 0; round < 12; round++)
        {
            var snapshotId = await env.Snapshots.CreateAsync(caller, new CreateSnapshotRequest(null, disk.Id), CancellationToken.None);
            await env.WaitForSnapshotAsync(snapshotId, SnapshotStatuses.Accomplished);
            var create = Task.Run(() => env.Images.CreateAsync(caller, new CreateImageRequest(SnapshotHarness.Region, SnapshotId: snapshotId), CancellationToken.None));
            var delete = Task.Run(() => env.Snapshots.DeleteAsync(caller, null, snapshotId, false, CancellationToken.None));
            var imageId = await Outcome(create);
            var deleted = await Outcome(delete.ContinueWith(t => t.IsCompletedSuccessfully ? "deleted" : throw t.Exception!.InnerException!));

            // Exactly one wins.
            Assert.True((imageId is null) != (deleted is null), $"round {round}: image {imageId}, delete {deleted}");
            await using var db = env.Database.CreateContext();
            var mapped = await db.ImageDiskMappings.AnyAsync(m => m.SnapshotId == snapshotId);
            var row = await db.Snapshots.AnyAsync(s => s.Id == snapshotId);
            Assert.Equal(imageId is not null, mapped);
            Assert.Equal(mapped, row);
            Assert.Equal(mapped, env.Store.SnapshotExists(snapshotId));
            if (imageId is not null)
            {
                await env.WaitForImageAsync(imageId, ImageStatuses.Available);
                db.Images.Remove((await db.Images.FindAsync(SnapshotHarness.Region, imageId))!);
                await db.SaveChangesAsync();
            }
        }
    }

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

    /// <summary>The result, or null when it failed with one of the codes a lost race answers.</summary>
    private static async Task<string?> Outcome(Task<string> operation)
    {
        try
        {
            return await operation;
        }
        catch (EcsException error) when (error.Code is "InvalidSnapshotId.NotFound" or "SnapshotCreatedImage")
        {
            return null;
        }
    }
}
