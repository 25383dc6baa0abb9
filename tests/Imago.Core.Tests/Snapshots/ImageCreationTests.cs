using Imago.Core.Errors;
using Imago.Core.ImageCreation;
using Imago.Core.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Snapshots;

public sealed class ImageCreationTests : IAsyncLifetime
{
    private const long Alice = 1_000_000_000_000_001;
    private const long Bob = 1_000_000_000_000_002;
    private const string Ubuntu = "ubuntu_22_04_x64_20G_alibase_20240101.vhd";

    private static readonly Caller AliceCaller = new(Alice);

    private readonly TempDirectory _dir = new();
    private SnapshotHarness _env = null!;

    public async Task InitializeAsync()
    {
        _env = await SnapshotHarness.OpenAsync(_dir.Path);
        await _env.AddPublicImageAsync(Ubuntu);
    }

    public async Task DisposeAsync()
    {
        await _env.DisposeAsync();
        _dir.Dispose();
    }

    private static CreateImageRequest Request(string name = "my-image") => new(SnapshotHarness.Region, ImageName: name);

    private async Task<string> AccomplishedSnapshotAsync(DiskEntity disk)
    {
        var id = await _env.Snapshots.CreateAsync(AliceCaller, new CreateSnapshotRequest(null, disk.Id), CancellationToken.None);
        await _env.WaitForSnapshotAsync(id, SnapshotStatuses.Accomplished);
        return id;
    }

    [Fact]
    public async Task FromInstanceSnapshotsEveryDiskAndInheritsTheImage()
    {
        var (instance, system, data) = await _env.AddInstanceAsync(Alice, Ubuntu, systemGiB: 500, dataGiB: [100]);
        var systemBytes = Enumerable.Repeat((byte)0xA5, 4096).ToArray();
        var dataBytes = Enumerable.Repeat((byte)0x5A, 4096).ToArray();
        await using (var volume = await _env.Store.OpenVolumeAsync(system.Id))
        {
            await volume.WriteAsync(400L << 30, systemBytes);
            await _env.WriteAsync(data[0].Id, 0, dataBytes);
            var imageId = await _env.Images.CreateAsync(AliceCaller, Request() with { InstanceId = instance.Id }, CancellationToken.None);
            await _env.WaitForImageAsync(imageId, ImageStatuses.Available);

            var image = await _env.FindImageAsync(imageId);
            Assert.NotNull(image);
            Assert.Equal(100, image.Progress);
            Assert.Equal(500, image.SizeGiB);
            Assert.Equal(Alice, image.OwnerAccountId);
            Assert.Equal(ImageKinds.Custom, image.Kind);
            Assert.Equal("Ubuntu", image.Platform);
            Assert.Equal("Ubuntu 22.04 64 bit", image.OSNameEn);
            Assert.Equal("UEFI", image.BootMode);
            Assert.Equal(Ubuntu, image.SourceImageId);
            Assert.Collection(image.DiskMappings,
                m => Assert.Equal(("system", "/dev/xvda", 500), (m.Type, m.Device, m.SizeGiB)),
                m => Assert.Equal(("data", "/dev/xvdb", 100), (m.Type, m.Device, m.SizeGiB)));
            Assert.Equal(systemBytes, await _env.ReadSnapshotAsync(image.DiskMappings[0].SnapshotId!, 400L << 30, 4096));
            Assert.Equal(dataBytes, await _env.ReadSnapshotAsync(image.DiskMappings[1].SnapshotId!, 0, 4096));

            var snapshots = (await _env.SnapshotQueries.ListAsync(AliceCaller, SnapshotHarness.Region, new SnapshotQuery(InstanceId: instance.Id), CancellationToken.None)).Items;
            Assert.Equal(2, snapshots.Count);
            Assert.All(snapshots, s => Assert.Equal((SnapshotUsages.Image, SnapshotStatuses.Accomplished), (s.Usage, s.Snapshot.Status)));
            Assert.Contains(snapshots, s => s.Snapshot.SourceDiskId == system.Id && s.Snapshot.SourceDiskType == "system");

            var task = await _env.FindTaskAsync(image.TaskId!);
            Assert.Equal((TaskStatuses.Finished, 100, SnapshotKinds.CreateImageTask), (task!.Status, task.Progress, task.Action));
        }
    }

    [Fact]
    public async Task ImageIsCreatingAtZeroUntilTheRunnerFinishesIt()
    {
        using var dir = new TempDirectory();
        await using var stopped = await SnapshotHarness.OpenAsync(dir.Path, startRunner: false);
        var (instance, _, _) = await stopped.AddInstanceAsync(Alice, Ubuntu, status: InstanceStatuses.Stopped);
        var imageId = await stopped.Images.CreateAsync(AliceCaller, Request() with { InstanceId = instance.Id }, CancellationToken.None);
        var image = await stopped.FindImageAsync(imageId);
        Assert.Equal((ImageStatuses.Creating, 0), (image!.Status, image.Progress));

        await stopped.Runner.StartAsync(CancellationToken.None);
        await stopped.WaitForImageAsync(imageId, ImageStatuses.Available);
    }

    [Fact]
    public async Task FromSnapshotMapsTheCallersSystemSnapshot()
    {
        var (_, system, data) = await _env.AddInstanceAsync(Alice, Ubuntu, systemGiB: 40, dataGiB: [10]);
        var snapshotId = await AccomplishedSnapshotAsync(system);
        var imageId = await _env.Images.CreateAsync(AliceCaller, Request() with { SnapshotId = snapshotId, Platform = "centos" }, CancellationToken.None);
        await _env.WaitForImageAsync(imageId, ImageStatuses.Available);
        var image = await _env.FindImageAsync(imageId);
        Assert.Equal(snapshotId, Assert.Single(image!.DiskMappings).SnapshotId);
        Assert.Equal(40, image.SizeGiB);
        Assert.Equal("CentOS", image.Platform);
        Assert.Equal("linux", image.OSType);

        var dataSnapshot = await AccomplishedSnapshotAsync(data[0]);
        var error = await Assert.ThrowsAsync<EcsException>(() =>
            _env.Images.CreateAsync(AliceCaller, Request("other") with { SnapshotId = dataSnapshot }, CancellationToken.None));
        Assert.Equal(("OperationDenied", 403), (error.Code, error.HttpStatus));
    }

    [Fact]
    public async Task SnapshotMustBeTheCallersAndReady()
    {
        using var dir = new TempDirectory();
        await using var stopped = await SnapshotHarness.OpenAsync(dir.Path, startRunner: false);
        var disk = await stopped.AddDiskAsync(Alice, "system", 20);
        var progressing = await stopped.Snapshots.CreateAsync(AliceCaller, new CreateSnapshotRequest(null, disk.Id), CancellationToken.None);
        var notReady = await Assert.ThrowsAsync<EcsException>(() =>
            stopped.Images.CreateAsync(AliceCaller, Request() with { SnapshotId = progressing }, CancellationToken.None));
        Assert.Equal(("InvalidSnapshotId.NotReady", 403), (notReady.Code, notReady.HttpStatus));

        var foreign = await Assert.ThrowsAsync<EcsException>(() =>
            stopped.Images.CreateAsync(new Caller(Bob), Request() with { SnapshotId = progressing }, CancellationToken.None));
        Assert.Equal(("InvalidSnapshotId.NotFound", 404), (foreign.Code, foreign.HttpStatus));
    }

    [Fact]
    public async Task FromMappingsBuildsSystemAndDataDisksIncludingEmptyOnes()
    {
        var system = await _env.AddDiskAsync(Alice, "system", 20, imageId: Ubuntu);
        var data = await _env.AddDiskAsync(Alice, "data", 30);
        var systemSnapshot = await AccomplishedSnapshotAsync(system);
        var dataSnapshot = await AccomplishedSnapshotAsync(data);
        var request = Request() with
        {
            SnapshotId = "s-ignored-because-mappings-win",
            DiskDeviceMappings =
            [
                new(1, systemSnapshot, "40", null, "system"),
                new(2, null, "50", "/dev/xvdc", "data"),
                new(3, dataSnapshot, null, null, null),
            ],
        };
        var imageId = await _env.Images.CreateAsync(AliceCaller, request, CancellationToken.None);
        await _env.WaitForImageAsync(imageId, ImageStatuses.Available);
        var image = await _env.FindImageAsync(imageId);
        Assert.Collection(image!.DiskMappings,
            m => Assert.Equal(("system", "/dev/xvda", 40, (string?)systemSnapshot), (m.Type, m.Device, m.SizeGiB, m.SnapshotId)),
            m => Assert.Equal(("data", "/dev/xvdb", 30, (string?)dataSnapshot), (m.Type, m.Device, m.SizeGiB, m.SnapshotId)),
            m => Assert.Equal(("data", "/dev/xvdc", 50, (string?)null), (m.Type, m.Device, m.SizeGiB, m.SnapshotId)));
        Assert.Equal("Ubuntu", image.Platform);
        Assert.Equal(40, image.SizeGiB);
    }

    public static TheoryData<string, DiskMappingRequest[]> BadMappings => new()
    {
        { "OperationDenied", [new(1, null, "20", null, "system")] },
        { "OperationDenied", [new(1, "SYS", null, null, "system"), new(2, "SYS", null, null, "system")] },
        { "OperationDenied", [new(1, "SYS", null, null, "data")] },
        { "InvalidDevice.Malformed", [new(1, "SYS", null, "/dev/sda", null)] },
        { "InvalidDevice.Malformed", [new(1, "SYS", null, null, null), new(2, null, "20", "/dev/xvda", "data")] },
        { "InvalidDevice.InUse", [new(1, "SYS", null, null, null), new(2, null, "20", "/dev/xvdb", null), new(3, null, "20", "/dev/xvdb", null)] },
        { "InvalidSize.ValueNotSupported", [new(1, "SYS", "10", null, null)] },
        { "InvalidSize.ValueNotSupported", [new(1, "SYS", null, null, null), new(2, null, "5", null, "data")] },
        { "InvalidSize.ValueNotSupported", [new(1, "SYS", "lots", null, null)] },
        { "InvalidDiskType.ValueNotSupported", [new(1, "SYS", null, null, "boot")] },
    };

    [Theory]
    [MemberData(nameof(BadMappings))]
    public async Task BadMappingsGetTheirDocumentedCodes(string code, DiskMappingRequest[] mappings)
    {
        var systemSnapshot = await AccomplishedSnapshotAsync(await _env.AddDiskAsync(Alice, "system", 20));
        var resolved = mappings.Select(m => m with { SnapshotId = m.SnapshotId == "SYS" ? systemSnapshot : m.SnapshotId }).ToArray();
        var error = await Assert.ThrowsAsync<EcsException>(() =>
            _env.Images.CreateAsync(AliceCaller, Request() with { DiskDeviceMappings = resolved }, CancellationToken.None));
        Assert.Equal(code, error.Code);
        Assert.InRange(error.HttpStatus, 400, 403);
    }

    [Fact]
    public async Task SourceAndNameRulesAreChecked()
    {
        var (running, _, _) = await _env.AddInstanceAsync(Alice, Ubuntu);
        var (pending, _, _) = await _env.AddInstanceAsync(Alice, Ubuntu, status: InstanceStatuses.Pending);
        var (bobs, _, _) = await _env.AddInstanceAsync(Bob, Ubuntu);

        async Task<EcsException> Refused(CreateImageRequest request) =>
            await Assert.ThrowsAsync<EcsException>(() => _env.Images.CreateAsync(AliceCaller, request, CancellationToken.None));

        Assert.Equal(("MissingParameter", 400), ((await Refused(Request())).Code, 400));
        Assert.Equal("IncorrectInstanceStatus", (await Refused(Request() with { InstanceId = pending.Id })).Code);
        Assert.Equal(("InvalidInstanceId.NotFound", 404), await Pair(Refused(Request() with { InstanceId = bobs.Id })));
        Assert.Equal("InvalidImageName.Malformed", (await Refused(Request("aliyun-copy") with { InstanceId = running.Id })).Code);
        Assert.Equal("InvalidImageName.Malformed", (await Refused(Request("x") with { InstanceId = running.Id })).Code);
        Assert.Equal("InvalidPlatform.Malformed", (await Refused(Request() with { InstanceId = running.Id, Platform = "Plan9" })).Code);
        Assert.Equal("InvalidArchitecture.Malformed", (await Refused(Request() with { InstanceId = running.Id, Architecture = "mips" })).Code);
        Assert.Equal("InvalidDescription.Malformed", (await Refused(Request() with { InstanceId = running.Id, Description = "http://x" })).Code);
        Assert.Equal("InvalidTagKey.Malformed", (await Refused(Request() with { InstanceId = running.Id, Tags = [new("acs:x", "v")] })).Code);
        Assert.Equal("DryRunOperation", (await Refused(Request() with { InstanceId = running.Id, DryRun = true })).Code);
        Assert.Empty(_env.Store.ListSnapshots());

        var first = await _env.Images.CreateAsync(AliceCaller, Request("taken") with { InstanceId = running.Id }, CancellationToken.None);
        Assert.Equal(("InvalidImageName.Duplicated", 400), await Pair(Refused(Request("taken") with { InstanceId = running.Id })));
        // Another account may use the same name.
        await _env.Images.CreateAsync(new Caller(Bob), Request("taken") with { InstanceId = bobs.Id }, CancellationToken.None);
        await _env.WaitForImageAsync(first, ImageStatuses.Available);
    }

    [Fact]
    public async Task QuotaIsOneHundredCustomImagesPerRegion()
    {
        await using (var db = _env.Database.CreateContext())
        {
            for (var i = 0; i < ImageCreationService.ImageQuota; i++)
            {
                db.Images.Add(new ImageEntity
                {
                    RegionId = SnapshotHarness.Region, Id = $"m-quota{i}", OwnerAccountId = Alice, Kind = ImageKinds.Custom,
                    Name = $"quota-{i}", Status = ImageStatuses.Available, CreatedAt = DateTime.UtcNow,
                });
            }

            await db.SaveChangesAsync();
        }

        var (instance, _, _) = await _env.AddInstanceAsync(Alice, Ubuntu);
        var error = await Assert.ThrowsAsync<EcsException>(() => _env.Images.CreateAsync(AliceCaller, Request() with { InstanceId = instance.Id }, CancellationToken.None));
        Assert.Equal(("QuotaExceed.Image", 403), (error.Code, error.HttpStatus));
        Assert.Empty(_env.Store.ListSnapshots());
    }

    [Fact]
    public async Task MarketplaceLineageKeepsProductCodeAndVersion()
    {
        await _env.AddPublicImageAsync("m-market1", "CentOS", productCode: "jxsc000123");
        var (instance, _, _) = await _env.AddInstanceAsync(Alice, "m-market1", productCode: "jxsc000123");
        var refused = await Assert.ThrowsAsync<EcsException>(() =>
            _env.Images.CreateAsync(AliceCaller, Request() with { InstanceId = instance.Id, ImageVersion = "v9" }, CancellationToken.None));
        Assert.Equal("InvalidImageVersion.Malformed", refused.Code);

        var imageId = await _env.Images.CreateAsync(AliceCaller, Request() with { InstanceId = instance.Id }, CancellationToken.None);
        var image = await _env.FindImageAsync(imageId);
        Assert.Equal(("jxsc000123", "v1.2", "CentOS"), (image!.ProductCode, image.ImageVersion, image.Platform));
        var snapshot = await _env.FindSnapshotAsync(image.DiskMappings[0].SnapshotId!);
        Assert.Equal("jxsc000123", snapshot!.ProductCode);
    }

    [Fact]
    public async Task ClientTokenReturnsTheSameImage()
    {
        var (instance, _, _) = await _env.AddInstanceAsync(Alice, Ubuntu);
        var request = Request() with { InstanceId = instance.Id, ClientToken = "abc" };
        var first = await _env.Images.CreateAsync(AliceCaller, request, CancellationToken.None);
        Assert.Equal(first, await _env.Images.CreateAsync(AliceCaller, request, CancellationToken.None));
        var error = await Assert.ThrowsAsync<EcsException>(() => _env.Images.CreateAsync(AliceCaller, request with { ImageName = "changed" }, CancellationToken.None));
        Assert.Equal("IdempotentParameterMismatch", error.Code);
    }

    [Fact]
    public async Task SnapshotsMappedByAnImageCannotBeDeleted()
    {
        var system = await _env.AddDiskAsync(Alice, "system", 20, imageId: Ubuntu);
        var snapshotId = await AccomplishedSnapshotAsync(system);
        var imageId = await _env.Images.CreateAsync(AliceCaller, Request() with { SnapshotId = snapshotId }, CancellationToken.None);
        var error = await Assert.ThrowsAsync<EcsException>(() => _env.Snapshots.DeleteAsync(AliceCaller, null, snapshotId, true, CancellationToken.None));
        Assert.Equal(("SnapshotCreatedImage", 403), (error.Code, error.HttpStatus));
        Assert.True(_env.Store.SnapshotExists(snapshotId));

        var page = (await _env.SnapshotQueries.ListAsync(AliceCaller, SnapshotHarness.Region, new SnapshotQuery(Usage: SnapshotUsages.Image), CancellationToken.None)).Items;
        Assert.Equal(snapshotId, Assert.Single(page).Snapshot.Id);

        await _env.WaitForImageAsync(imageId, ImageStatuses.Available);
        await using (var db = _env.Database.CreateContext())
        {
            db.Images.Remove((await db.Images.FindAsync(SnapshotHarness.Region, imageId))!);
            await db.SaveChangesAsync();
        }

        await _env.Snapshots.DeleteAsync(AliceCaller, null, snapshotId, false, CancellationToken.None);
        Assert.False(_env.Store.SnapshotExists(snapshotId));
    }

    private static async Task<(string, int)> Pair(Task<EcsException> error)
    {
        var e = await error;
        return (e.Code, e.HttpStatus);
    }
}
