using Imago.Core.Compute;
using Imago.Core.Errors;
using Imago.Core.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Snapshots;

public sealed class SnapshotServiceTests : IAsyncLifetime
{
    private const long Alice = 1_000_000_000_000_001;
    private const long Bob = 1_000_000_000_000_002;

    private readonly TempDirectory _dir = new();
    private SnapshotHarness _env = null!;

    public async Task InitializeAsync() => _env = await SnapshotHarness.OpenAsync(_dir.Path);

    public async Task DisposeAsync()
    {
        await _env.DisposeAsync();
        _dir.Dispose();
    }

    private static CreateSnapshotRequest Request(string diskId) => new(SnapshotHarness.Region, diskId, "snap-1", "my snapshot", 7);

    [Fact]
    public async Task SnapshotCapturesWhatWasWrittenToTheOpenVolumeAndBecomesAccomplished()
    {
        var disk = await _env.AddDiskAsync(Alice, "system", 40);
        var bytes = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        string snapshotId;
        await using (var volume = await _env.Store.OpenVolumeAsync(disk.Id))
        {
            await volume.WriteAsync(1 << 20, bytes);
            snapshotId = await _env.Snapshots.CreateAsync(new Caller(Alice), Request(disk.Id), CancellationToken.None);
        }

        Assert.Equal(bytes, await _env.ReadSnapshotAsync(snapshotId, 1 << 20, bytes.Length));
        await _env.WaitForSnapshotAsync(snapshotId, SnapshotStatuses.Accomplished);
        var row = await _env.FindSnapshotAsync(snapshotId);
        Assert.NotNull(row);
        Assert.Equal(100, row.Progress);
        Assert.Equal(disk.Id, row.SourceDiskId);
        Assert.Equal("system", row.SourceDiskType);
        Assert.Equal(40, row.SourceDiskSizeGiB);
        Assert.Equal(7, row.RetentionDays);
        Assert.True(row.StoredBytes > 0);
        Assert.StartsWith("s-bp", snapshotId);
    }

    [Fact]
    public async Task SnapshotStaysProgressingUntilItsTaskRuns()
    {
        using var dir = new TempDirectory();
        await using var stopped = await SnapshotHarness.OpenAsync(dir.Path, startRunner: false);
        var disk = await stopped.AddDiskAsync(Alice, "data", 10);
        var snapshotId = await stopped.Snapshots.CreateAsync(new Caller(Alice), Request(disk.Id), CancellationToken.None);
        var page = (await stopped.SnapshotQueries.ListAsync(new Caller(Alice), SnapshotHarness.Region, new SnapshotQuery(), CancellationToken.None)).Items;
        Assert.Equal(SnapshotStatuses.Progressing, Assert.Single(page).Snapshot.Status);
        Assert.Equal(0, page[0].Snapshot.Progress);

        await stopped.Runner.StartAsync(CancellationToken.None);
        await stopped.WaitForSnapshotAsync(snapshotId, SnapshotStatuses.Accomplished);
    }

    [Fact]
    public async Task UnknownOrForeignDiskIsNotFound()
    {
        var bobs = await _env.AddDiskAsync(Bob, "data", 10);
        foreach (var diskId in new[] { "d-bpnothere", bobs.Id })
        {
            var error = await Assert.ThrowsAsync<EcsException>(() => _env.Snapshots.CreateAsync(new Caller(Alice), Request(diskId), CancellationToken.None));
            Assert.Equal("InvalidDiskId.NotFound", error.Code);
            Assert.Equal(404, error.HttpStatus);
        }
    }

    [Theory]
    [InlineData("auto-daily", null, "InvalidSnapshotName.Malformed")]
    [InlineData("http://x", null, "InvalidSnapshotName.Malformed")]
    [InlineData("x", null, "InvalidSnapshotName.Malformed")]
    [InlineData("1abc", null, "InvalidSnapshotName.Malformed")]
    [InlineData("good-name", "https://evil", "InvalidDescription.Malformed")]
    public async Task MalformedNamesAreRefused(string name, string? description, string code)
    {
        var disk = await _env.AddDiskAsync(Alice, "data", 10);
        var error = await Assert.ThrowsAsync<EcsException>(() =>
            _env.Snapshots.CreateAsync(new Caller(Alice), Request(disk.Id) with { SnapshotName = name, Description = description }, CancellationToken.None));
        Assert.Equal(code, error.Code);
        Assert.Equal(400, error.HttpStatus);
    }

    [Fact]
    public async Task DiskThatIsNotReadyCannotBeSnapshotted()
    {
        var disk = await _env.AddDiskAsync(Alice, "data", 10);
        await using (var db = _env.Database.CreateContext())
        {
            var row = await db.Disks.FindAsync(disk.Id);
            row!.Status = DiskStatuses.Creating;
            await db.SaveChangesAsync();
        }

        var error = await Assert.ThrowsAsync<EcsException>(() => _env.Snapshots.CreateAsync(new Caller(Alice), Request(disk.Id), CancellationToken.None));
        Assert.Equal("IncorrectDiskStatus", error.Code);
        Assert.Equal(403, error.HttpStatus);
    }

    [Fact]
    public async Task DryRunValidatesWithoutCreating()
    {
        var disk = await _env.AddDiskAsync(Alice, "data", 10);
        var error = await Assert.ThrowsAsync<EcsException>(() =>
            _env.Snapshots.CreateAsync(new Caller(Alice), Request(disk.Id) with { DryRun = true }, CancellationToken.None));
        Assert.Equal("DryRunOperation", error.Code);
        Assert.Empty(_env.Store.ListSnapshots());
        Assert.Equal(0, (await _env.SnapshotQueries.ListAsync(new Caller(Alice), SnapshotHarness.Region, new SnapshotQuery(), CancellationToken.None)).TotalCount);
    }

    [Fact]
    public async Task ClientTokenMakesRetriesIdempotent()
    {
        var disk = await _env.AddDiskAsync(Alice, "data", 10);
        var request = Request(disk.Id) with { ClientToken = "token-1" };
        var first = await _env.Snapshots.CreateAsync(new Caller(Alice), request, CancellationToken.None);
        var again = await _env.Snapshots.CreateAsync(new Caller(Alice), request, CancellationToken.None);
        Assert.Equal(first, again);
        Assert.Single(_env.Store.ListSnapshots());

        var error = await Assert.ThrowsAsync<EcsException>(() =>
            _env.Snapshots.CreateAsync(new Caller(Alice), request with { SnapshotName = "other-name" }, CancellationToken.None));
        Assert.Equal("IdempotentParameterMismatch", error.Code);
    }

    [Fact]
    public async Task DescribeFiltersByDiskStatusIdsTypeTagsAndPages()
    {
        var system = await _env.AddDiskAsync(Alice, "system", 20);
        var data = await _env.AddDiskAsync(Alice, "data", 30);
        var caller = new Caller(Alice);
        var a = await _env.Snapshots.CreateAsync(caller, Request(system.Id) with { Tags = [new("env", "prod")] }, CancellationToken.None);
        var b = await _env.Snapshots.CreateAsync(caller, Request(data.Id) with { SnapshotName = "data-snap" }, CancellationToken.None);
        var c = await _env.Snapshots.CreateAsync(caller, Request(data.Id), CancellationToken.None);
        await _env.Snapshots.CreateAsync(new Caller(Bob), Request((await _env.AddDiskAsync(Bob, "data", 5)).Id), CancellationToken.None);
        foreach (var id in new[] { a, b, c })
        {
            await _env.WaitForSnapshotAsync(id, SnapshotStatuses.Accomplished);
        }

        async Task<string[]> Ids(SnapshotQuery query) =>
            [.. (await _env.SnapshotQueries.ListAsync(caller, SnapshotHarness.Region, query, CancellationToken.None)).Items.Select(v => v.Snapshot.Id).Order()];

        Assert.Equal(new[] { a, b, c }.Order(), await Ids(new SnapshotQuery()));
        Assert.Equal(new[] { b, c }.Order(), await Ids(new SnapshotQuery(DiskId: data.Id)));
        Assert.Equal([a], await Ids(new SnapshotQuery(SourceDiskType: "system")));
        Assert.Equal([b], await Ids(new SnapshotQuery(SnapshotName: "data-snap")));
        Assert.Equal([a], await Ids(new SnapshotQuery(Tags: [new("env", "prod")])));
        Assert.Equal([a], await Ids(new SnapshotQuery(Tags: [new("env", "")])));
        Assert.Empty(await Ids(new SnapshotQuery(Tags: [new("env", "dev")])));
        Assert.Equal(new[] { a, c }.Order(), await Ids(new SnapshotQuery(SnapshotIds: [a, c, "s-unknown"])));
        Assert.Empty(await Ids(new SnapshotQuery(Status: SnapshotStatuses.Progressing)));
        Assert.Empty(await Ids(new SnapshotQuery(SnapshotType: "auto")));
        Assert.Equal(3, (await Ids(new SnapshotQuery(Usage: SnapshotUsages.None))).Length);

        var result = await _env.SnapshotQueries.ListAsync(caller, SnapshotHarness.Region, new SnapshotQuery(Paging: new PageRequest(PageNumber: 2, PageSize: 2)), CancellationToken.None);
        var (page, total) = (result.Items, result.TotalCount);
        Assert.Equal(3, total);
        Assert.Single(page);
        var tagged = (await _env.SnapshotQueries.ListAsync(caller, SnapshotHarness.Region, new SnapshotQuery(SnapshotIds: [a]), CancellationToken.None)).Items;
        Assert.Equal([new KeyValuePair<string, string>("env", "prod")], tagged[0].Tags);
    }

    [Fact]
    public async Task DeleteRemovesTheRowThenTheBytes()
    {
        var disk = await _env.AddDiskAsync(Alice, "data", 10);
        var id = await _env.Snapshots.CreateAsync(new Caller(Alice), Request(disk.Id), CancellationToken.None);
        await _env.WaitForSnapshotAsync(id, SnapshotStatuses.Accomplished);

        var foreign = await Assert.ThrowsAsync<EcsException>(() => _env.Snapshots.DeleteAsync(new Caller(Bob), null, id, false, CancellationToken.None));
        Assert.Equal("InvalidSnapshotId.NotFound", foreign.Code);
        Assert.True(_env.Store.SnapshotExists(id));

        await _env.Snapshots.DeleteAsync(new Caller(Alice), null, id, false, CancellationToken.None);
        Assert.Null(await _env.FindSnapshotAsync(id));
        Assert.False(_env.Store.SnapshotExists(id));
        var again = await Assert.ThrowsAsync<EcsException>(() => _env.Snapshots.DeleteAsync(new Caller(Alice), null, id, false, CancellationToken.None));
        Assert.Equal(404, again.HttpStatus);
    }

    [Fact]
    public async Task DeleteIsRefusedForSnapshotsThatDisksCameFromUnlessForced()
    {
        var disk = await _env.AddDiskAsync(Alice, "data", 10);
        var id = await _env.Snapshots.CreateAsync(new Caller(Alice), Request(disk.Id), CancellationToken.None);
        await _env.WaitForSnapshotAsync(id, SnapshotStatuses.Accomplished);
        var clone = await _env.AddDiskAsync(Alice, "data", 10);
        await using (var db = _env.Database.CreateContext())
        {
            (await db.Disks.FindAsync(clone.Id))!.SourceSnapshotId = id;
            await db.SaveChangesAsync();
        }

        var page = (await _env.SnapshotQueries.ListAsync(new Caller(Alice), SnapshotHarness.Region, new SnapshotQuery(Usage: SnapshotUsages.Disk), CancellationToken.None)).Items;
        Assert.Equal(id, Assert.Single(page).Snapshot.Id);

        var error = await Assert.ThrowsAsync<EcsException>(() => _env.Snapshots.DeleteAsync(new Caller(Alice), null, id, false, CancellationToken.None));
        Assert.Equal("SnapshotCreatedDisk", error.Code);
        Assert.Equal(403, error.HttpStatus);
        await _env.Snapshots.DeleteAsync(new Caller(Alice), SnapshotHarness.Region, id, true, CancellationToken.None);
        Assert.False(_env.Store.SnapshotExists(id));
    }
}
