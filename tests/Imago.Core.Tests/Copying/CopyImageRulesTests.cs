using Imago.Core.Copying;
using Imago.Core.Errors;
using Imago.Core.Images;
using Imago.Core.Tests.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Copying;

/// <summary>CopyImage's rules: what may be copied where, with which parameters, and what DeleteImage says while copying.</summary>
public sealed class CopyImageRulesTests : IAsyncLifetime
{
    private const long Alice = 1_000_000_000_000_001;
    private const long Bob = 1_000_000_000_000_002;
    private static readonly Caller AliceCaller = new(Alice);
    private static readonly Caller BobCaller = new(Bob);

    private readonly TempDirectory _dir = new();
    private CopyHarness _env = null!;
    private string _snapshot = "";

    public async Task InitializeAsync()
    {
        _env = await CopyHarness.OpenAsync(_dir.Path);
        _snapshot = await _env.AddStoreSnapshotAsync(CopyHarness.Source, CopyHarness.RandomBytes(4, seed: 1));
    }

    public async Task DisposeAsync()
    {
        await _env.DisposeAsync();
        _dir.Dispose();
    }

    private static CopyImageRequest Request(string imageId, string? destination = CopyHarness.Destination) =>
        new(CopyHarness.Source, imageId, destination);

    private async Task<EcsException> RefusedAsync(Caller caller, CopyImageRequest request) =>
        await Assert.ThrowsAsync<EcsException>(() => _env.Copies.CopyAsync(caller, request, CancellationToken.None));

    [Fact]
    public async Task TheCopyAppearsAtOnceInTheDestinationWithTheSourceAttributesAndEndsAvailable()
    {
        var source = await _env.AddCustomImageAsync(Alice, [_snapshot], name: "web", productCode: "jxsc000123");
        var result = await _env.Copies.CopyAsync(AliceCaller,
            Request(source.Id) with { DestinationImageName = "web-copy", DestinationDescription = "copied", Tags = [new("team", "blue")] }, CancellationToken.None);

        var copy = await _env.Env.FindImageAsync(result.ImageId);
        Assert.NotNull(copy);
        Assert.Equal(CopyHarness.Destination, copy.RegionId);
        Assert.True(copy.IsCopied);
        Assert.Equal((CopyHarness.Source, source.Id), (copy.SourceRegionId, copy.SourceImageId));
        Assert.Equal(("web-copy", "copied", Alice), (copy.Name, copy.Description, copy.OwnerAccountId));
        Assert.Equal(("jxsc000123", "Ubuntu", "UEFI", "x86_64", "linux"), (copy.ProductCode, copy.Platform, copy.BootMode, copy.Architecture, copy.OSType));
        Assert.Single(copy.DiskMappings);
        Assert.Equal("team", Assert.Single(await _env.TagsAsync(copy.Id)).Key);

        await _env.Env.WaitForImageAsync(copy.Id, ImageStatuses.Available);
        copy = await _env.Env.FindImageAsync(result.ImageId);
        var mapping = Assert.Single(copy!.DiskMappings);
        Assert.Equal((100, 0), (mapping.Progress, mapping.RemainTimeSeconds));
        Assert.NotNull(mapping.SnapshotId);
        Assert.NotEqual(_snapshot, mapping.SnapshotId);
        Assert.StartsWith("s-", mapping.SnapshotId);
        var row = await _env.Env.FindSnapshotAsync(mapping.SnapshotId);
        Assert.NotNull(row);
        Assert.Equal((CopyHarness.Destination, copy.Id, CopyHarness.Source, _snapshot), (row.RegionId, row.DiskImageId, row.SourceRegionId, row.SourceSnapshotId));
        Assert.Equal(4L * CopyHarness.ChunkSize, row.StoredBytes);
        Assert.Equal("jxsc000123", row.ProductCode);
        Assert.Equal(await _env.ReadAsync(_env.SourceStore, _snapshot, 4 * CopyHarness.ChunkSize),
            await _env.ReadAsync(_env.DestinationStore, mapping.SnapshotId, 4 * CopyHarness.ChunkSize));
        // The task is marked Finished just after the image turns Available.
        await _env.WaitUntilAsync(async () => (await _env.Env.FindTaskAsync(copy.TaskId!))!.Status == TaskStatuses.Finished, "task Finished");
        var task = await _env.Env.FindTaskAsync(copy.TaskId!);
        Assert.Equal((CopyHarness.Destination, "CopyImage", 100), (task!.RegionId, task.Action, task.Progress));
    }

    [Fact]
    public async Task WithoutDestinationRegionTheCopyIsMadeInTheSourceRegion()
    {
        var source = await _env.AddCustomImageAsync(Alice, [_snapshot]);
        var result = await _env.Copies.CopyAsync(AliceCaller, Request(source.Id, destination: null), CancellationToken.None);
        await _env.Env.WaitForImageAsync(result.ImageId, ImageStatuses.Available);
        var copy = await _env.Env.FindImageAsync(result.ImageId);
        Assert.Equal(CopyHarness.Source, copy!.RegionId);
        Assert.NotEqual(_snapshot, copy.DiskMappings[0].SnapshotId);
    }

    [Fact]
    public async Task UnknownAndOtherAccountsImagesAreNotFound()
    {
        var bobs = await _env.AddCustomImageAsync(Bob, [_snapshot]);
        Assert.Equal("InvalidImageId.NotFound", (await RefusedAsync(AliceCaller, Request(bobs.Id))).Code);
        Assert.Equal("InvalidImageId.NotFound", (await RefusedAsync(AliceCaller, Request("m-doesnotexist"))).Code);
    }

    [Theory]
    [InlineData(ImageStatuses.Deprecated)]
    [InlineData(ImageStatuses.Creating)]
    [InlineData(ImageStatuses.CreateFailed)]
    public async Task OnlyAvailableImagesAreCopied(string status)
    {
        var source = await _env.AddCustomImageAsync(Alice, [_snapshot], status: status);
        var error = await RefusedAsync(AliceCaller, Request(source.Id));
        Assert.Equal(("IncorrectImageStatus", 400), (error.Code, error.HttpStatus));
    }

    [Fact]
    public async Task ASharedImageIsCopiedOnlyWithinItsRegion()
    {
        var source = await _env.AddCustomImageAsync(Alice, [_snapshot]);
        await _env.ShareAsync(source.Id, Bob);

        var error = await RefusedAsync(BobCaller, Request(source.Id));
        Assert.Equal(("OperationDenied.SameRegionOnly", 403), (error.Code, error.HttpStatus));

        var result = await _env.Copies.CopyAsync(BobCaller, Request(source.Id, CopyHarness.Source), CancellationToken.None);
        await _env.Env.WaitForImageAsync(result.ImageId, ImageStatuses.Available);
        Assert.Equal(Bob, (await _env.Env.FindImageAsync(result.ImageId))!.OwnerAccountId);
    }

    [Fact]
    public async Task PublicImagesAreRefused()
    {
        await _env.Env.AddPublicImageAsync("ubuntu_22_04_x64_20G_alibase_20240101.vhd");
        var error = await RefusedAsync(AliceCaller, Request("ubuntu_22_04_x64_20G_alibase_20240101.vhd"));
        Assert.Equal(("OperationDenied", 403), (error.Code, error.HttpStatus));
    }

    [Fact]
    public async Task ParametersAreChecked()
    {
        var source = await _env.AddCustomImageAsync(Alice, [_snapshot], name: "taken");
        Assert.Equal("DestinationRegion.NotFound", (await RefusedAsync(AliceCaller, Request(source.Id, "xx-nowhere-1"))).Code);
        Assert.Equal("InvalidImageName.Malformed", (await RefusedAsync(AliceCaller, Request(source.Id) with { DestinationImageName = "1bad" })).Code);
        Assert.Equal("InvalidDescription.Malformed", (await RefusedAsync(AliceCaller, Request(source.Id) with { DestinationDescription = "http://x" })).Code);
        Assert.Equal("InvalidParameter.EncryptedIllegal", (await RefusedAsync(AliceCaller, Request(source.Id) with { Encrypted = true })).Code);
        Assert.Equal("InvalidParameter.EncryptedIllegal", (await RefusedAsync(AliceCaller, Request(source.Id) with { KmsKeyId = "key-1" })).Code);
        Assert.Equal("InvalidTagKey.Malformed", (await RefusedAsync(AliceCaller, Request(source.Id) with { Tags = [new("acs:x", "y")] })).Code);
        Assert.Equal("InvalidRegionId.NotFound", (await RefusedAsync(AliceCaller, Request(source.Id) with { RegionId = "xx-nowhere-1" })).Code);
        // The name must be unique among the caller's images of the DESTINATION region.
        Assert.Equal("InvalidImageName.Duplicated",
            (await RefusedAsync(AliceCaller, Request(source.Id, CopyHarness.Source) with { DestinationImageName = "taken" })).Code);
        Assert.Equal("DryRunOperation", (await RefusedAsync(AliceCaller, Request(source.Id) with { DryRun = true, DestinationImageName = "taken" })).Code);
        Assert.Null(await _env.Env.FindTaskAsync("none"));
    }

    [Fact]
    public async Task TheQuotaCountsTheDestinationRegion()
    {
        var source = await _env.AddCustomImageAsync(Alice, [_snapshot]);
        await using (var db = _env.Env.Database.CreateContext())
        {
            for (var i = 0; i < ImageCreation.ImageLimits.ImageQuota; i++)
            {
                db.Images.Add(new ImageEntity
                {
                    RegionId = CopyHarness.Destination, Id = Ids.ResourceIds.NewImageId(CopyHarness.Destination), OwnerAccountId = Alice,
                    Kind = ImageKinds.Custom, Name = "", Status = ImageStatuses.Available,
                });
            }

            await db.SaveChangesAsync();
        }

        var error = await RefusedAsync(AliceCaller, Request(source.Id));
        Assert.Equal(("QuotaExceed.Image", 403), (error.Code, error.HttpStatus));
    }

    [Fact]
    public async Task TheSameClientTokenAnswersTheFirstCopy()
    {
        var source = await _env.AddCustomImageAsync(Alice, [_snapshot]);
        var first = await _env.Copies.CopyAsync(AliceCaller, Request(source.Id) with { ClientToken = "tok-1" }, CancellationToken.None);
        var again = await _env.Copies.CopyAsync(AliceCaller, Request(source.Id) with { ClientToken = "tok-1" }, CancellationToken.None);
        Assert.Equal(first.ImageId, again.ImageId);
        Assert.Equal("IdempotentParameterMismatch",
            (await RefusedAsync(AliceCaller, Request(source.Id) with { ClientToken = "tok-1", DestinationImageName = "other" })).Code);
    }

    [Fact]
    public async Task CopyAndSourceAreIndependentOnceTheCopyIsDone()
    {
        var source = await _env.AddCustomImageAsync(Alice, [_snapshot]);
        var result = await _env.Copies.CopyAsync(AliceCaller, Request(source.Id, CopyHarness.Source), CancellationToken.None);
        await _env.Env.WaitForImageAsync(result.ImageId, ImageStatuses.Available);
        var changes = new ImageChanges(_env.Env.Database, _env.Env.Regions);

        await changes.DeleteAsync(AliceCaller, CopyHarness.Source, source.Id, force: false, dryRun: false, CancellationToken.None);
        var copy = await _env.Env.FindImageAsync(result.ImageId);
        Assert.Equal(ImageStatuses.Available, copy!.Status);
        var copied = copy.DiskMappings[0].SnapshotId!;
        Assert.Equal(await _env.ReadAsync(_env.SourceStore, _snapshot, CopyHarness.ChunkSize), await _env.ReadAsync(_env.SourceStore, copied, CopyHarness.ChunkSize));
        await changes.DeleteAsync(AliceCaller, CopyHarness.Source, copy.Id, force: false, dryRun: false, CancellationToken.None);
        Assert.Null(await _env.Env.FindImageAsync(copy.Id));
    }
}
