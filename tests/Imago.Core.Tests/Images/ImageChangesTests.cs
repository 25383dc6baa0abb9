using Imago.Core.Errors;
using Imago.Core.Images;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Tests.Images;

public sealed class ImageChangesTests(SeededServiceFixture service) : IClassFixture<SeededServiceFixture>
{
    private const string Region = "cn-shanghai";
    private const string PublicUbuntu = "ubuntu_22_04_x64_20G_alibase_20240130.vhd";

    private Task Modify(Caller caller, string imageId, ImageAttributeChanges changes, bool dryRun = false) =>
        service.Changes.ModifyAsync(caller, Region, imageId, changes, dryRun, CancellationToken.None);

    private Task Delete(Caller caller, string imageId, bool force = false, bool dryRun = false) =>
        service.Changes.DeleteAsync(caller, Region, imageId, force, dryRun, CancellationToken.None);

    private async Task<ImageEntity?> LoadAsync(string imageId)
    {
        await using var db = service.Environment.Database.CreateContext();
        return await db.Images.Include(i => i.DiskMappings).SingleOrDefaultAsync(i => i.RegionId == Region && i.Id == imageId);
    }

    private async Task<string> CodeOf(Func<Task> action) => (await Assert.ThrowsAsync<EcsException>(action)).Code;

    [Fact]
    public async Task ModifyChangesOnlyWhatIsGiven()
    {
        var me = SeededServiceFixture.NewAccount();
        var image = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "before");
        await Modify(me, image.Id, new ImageAttributeChanges { ImageName = "after-1", BootMode = "UEFI", NvmeSupport = "supported", ImdsSupport = "v2" });
        await Modify(me, image.Id, new ImageAttributeChanges { Description = "web tier base", ImageFamily = "web-base", LicenseType = "BYOL" });
        var stored = (await LoadAsync(image.Id))!;
        Assert.Equal(("after-1", "web tier base", "web-base", "UEFI", "BYOL", "supported", "v2"),
            (stored.Name, stored.Description, stored.Family, stored.BootMode, stored.LicenseType, stored.NvmeSupport, stored.ImdsSupport));
        Assert.Equal(ImageStatuses.Available, stored.Status);
    }

    [Theory]
    [InlineData("x", null, null, "InvalidImageName.Malformed")]
    [InlineData("1starts-with-digit", null, null, "InvalidImageName.Malformed")]
    [InlineData("acs:mine", null, null, "InvalidImageName.Malformed")]
    [InlineData("aliyunish", null, null, "InvalidImageName.Malformed")]
    [InlineData("has space", null, null, "InvalidImageName.Malformed")]
    [InlineData(null, "http://evil", null, "InvalidDescription.Malformed")]
    [InlineData(null, "x", null, "InvalidDescription.Malformed")]
    [InlineData(null, null, "acs:family", "InvalidImageFamily.Malformed")]
    public async Task MalformedNamesAreRefused(string? name, string? description, string? family, string code)
    {
        var me = SeededServiceFixture.NewAccount();
        var image = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "valid-name");
        Assert.Equal(code, await CodeOf(() => Modify(me, image.Id, new ImageAttributeChanges { ImageName = name, Description = description, ImageFamily = family })));
        Assert.Equal("valid-name", (await LoadAsync(image.Id))!.Name);
    }

    [Fact]
    public void NameRulesAcceptWhatTheServiceDocuments()
    {
        Assert.True(ImageNameRules.IsValidName("web-base_2026.01:v2"));
        Assert.True(ImageNameRules.IsValidName("镜像-中文"));
        Assert.False(ImageNameRules.IsValidName(new string('a', 129)));
        Assert.True(ImageNameRules.IsValidName(new string('a', 128)));
        Assert.False(ImageNameRules.IsValidName("ALIYUN-copy"));
        Assert.True(ImageNameRules.IsValidDescription(new string('d', 256)));
        Assert.False(ImageNameRules.IsValidDescription(new string('d', 257)));
        Assert.False(ImageNameRules.IsValidDescription("https://x"));
        Assert.Equal("InvalidImageName.Malformed", Assert.Throws<EcsException>(() => ImageNameRules.RequireValidName("a")).Code);
    }

    [Fact]
    public async Task ANameUsedByAnotherOwnImageIsDuplicatedButOtherAccountsDoNotCount()
    {
        var me = SeededServiceFixture.NewAccount();
        var other = SeededServiceFixture.NewAccount();
        var first = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "taken-name");
        var second = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "free-name");
        var theirs = await ImageRows.AddCustomImageAsync(service.Environment.Database, other.AccountId, Region, "their-name");
        Assert.Equal("InvalidImageName.Duplicated", await CodeOf(() => Modify(me, second.Id, new ImageAttributeChanges { ImageName = "taken-name" })));
        await Modify(me, first.Id, new ImageAttributeChanges { ImageName = "taken-name" }); // its own name: no change, no error
        await Modify(me, second.Id, new ImageAttributeChanges { ImageName = "their-name" });
        Assert.Equal("their-name", (await LoadAsync(theirs.Id))!.Name);
    }

    [Fact]
    public async Task ConcurrentModificationsNeverHalfApply()
    {
        var me = SeededServiceFixture.NewAccount();
        var image = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "contended");
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(n => Task.Run(async () =>
        {
            try
            {
                await Modify(me, image.Id, new ImageAttributeChanges { ImageName = $"name-{n}", Description = $"description {n}" });
                return "ok";
            }
            catch (EcsException e)
            {
                return e.Code;
            }
        })));

        Assert.All(results, r => Assert.Contains(r, new[] { "ok", "OperationConflict" }));
        Assert.Contains("ok", results);
        var stored = (await LoadAsync(image.Id))!;
        Assert.Equal(stored.Name.Replace("name-", "description ", StringComparison.Ordinal), stored.Description); // both fields from one request
    }

    [Fact]
    public async Task OnlyOwnCustomImagesCanBeModifiedOrDeleted()
    {
        var owner = SeededServiceFixture.NewAccount();
        var friend = SeededServiceFixture.NewAccount();
        var image = await ImageRows.AddCustomImageAsync(service.Environment.Database, owner.AccountId, Region, "owned");
        await ImageRows.ShareAsync(service.Environment.Database, image, friend.AccountId);
        var rename = new ImageAttributeChanges { ImageName = "stolen" };
        Assert.Equal("InvalidImageId.NotFound", await CodeOf(() => Modify(friend, image.Id, rename)));
        Assert.Equal("InvalidImageId.NotFound", await CodeOf(() => Delete(friend, image.Id, force: true)));
        Assert.Equal("InvalidImageId.NotFound", await CodeOf(() => Modify(owner, PublicUbuntu, rename)));
        Assert.Equal("InvalidImageId.NotFound", await CodeOf(() => Delete(owner, PublicUbuntu, force: true)));
        Assert.Equal("InvalidImageId.NotFound", await CodeOf(() => Delete(owner, "m-uf0000000000000000nothere")));
        Assert.Equal("owned", (await LoadAsync(image.Id))!.Name);
        Assert.NotNull(await LoadAsync(PublicUbuntu));
    }

    [Fact]
    public async Task DeprecatedImagesLeaveTheDefaultListAndCanComeBack()
    {
        var me = SeededServiceFixture.NewAccount();
        var image = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "to-deprecate");
        await Modify(me, image.Id, new ImageAttributeChanges { Status = "Deprecated" });
        var self = new ImageQuery { ImageOwnerAlias = "self" };
        Assert.Empty((await service.Queries.DescribeAsync(me, Region, self, false, CancellationToken.None)).Images);
        var listed = await service.Queries.DescribeAsync(me, Region, self with { Statuses = ["Deprecated"] }, false, CancellationToken.None);
        Assert.Equal(ImageStatuses.Deprecated, Assert.Single(listed.Images).Image.Status);
        await Modify(me, image.Id, new ImageAttributeChanges { Status = "Available" });
        Assert.Single((await service.Queries.DescribeAsync(me, Region, self, false, CancellationToken.None)).Images);
        Assert.Equal("InvalidParameter", await CodeOf(() => Modify(me, image.Id, new ImageAttributeChanges { Status = "Creating" })));
    }

    [Fact]
    public async Task ASharedImageMustBeUnsharedBeforeDeprecatingOrDeleting()
    {
        var me = SeededServiceFixture.NewAccount();
        var image = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "shared-one");
        await ImageRows.ShareAsync(service.Environment.Database, image, SeededServiceFixture.NewAccount().AccountId);
        Assert.Equal("ImageUseShared", await CodeOf(() => Modify(me, image.Id, new ImageAttributeChanges { Status = "Deprecated" })));
        Assert.Equal("ImageUseShared", await CodeOf(() => Delete(me, image.Id, force: true)));
        Assert.Equal(ImageStatuses.Available, (await LoadAsync(image.Id))!.Status);
    }

    [Fact]
    public async Task ACreatingImageCannotBeDeprecated()
    {
        var me = SeededServiceFixture.NewAccount();
        var image = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "in-progress", ImageStatuses.Creating);
        Assert.Equal("IncorrectImageStatus", await CodeOf(() => Modify(me, image.Id, new ImageAttributeChanges { Status = "Deprecated" })));
        Assert.Equal("ImageIsCreating", await CodeOf(() => Delete(me, image.Id, force: true)));
    }

    [Fact]
    public async Task DeleteKeepsTheSnapshotsAndRemovesMappingsAndTags()
    {
        var me = SeededServiceFixture.NewAccount();
        var image = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "doomed");
        await ImageRows.TagAsync(service.Environment.Database, image, "k", "v");
        var snapshotId = image.DiskMappings[0].SnapshotId!;
        Assert.Equal("DryRunOperation", await CodeOf(() => Delete(me, image.Id, dryRun: true)));
        Assert.NotNull(await LoadAsync(image.Id)); // DryRun changes nothing
        await Delete(me, image.Id);
        Assert.Null(await LoadAsync(image.Id));
        await using var db = service.Environment.Database.CreateContext();
        Assert.True(await db.Snapshots.AnyAsync(s => s.Id == snapshotId));
        Assert.False(await db.ImageDiskMappings.AnyAsync(m => m.ImageId == image.Id));
        Assert.False(await db.Tags.AnyAsync(t => t.ResourceId == image.Id));
    }

    [Fact]
    public async Task AnImageInUseNeedsForce()
    {
        var me = SeededServiceFixture.NewAccount();
        var friend = SeededServiceFixture.NewAccount();
        var byInstance = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "runs-vms");
        var byDisk = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "made-disks");
        await ImageRows.AddInstanceAsync(service.Environment.Database, friend.AccountId, Region, byInstance.Id); // any account's instance counts
        await ImageRows.AddDiskAsync(service.Environment.Database, me.AccountId, Region, byDisk.Id);

        Assert.Equal("ImageUsingByInstance", await CodeOf(() => Delete(me, byInstance.Id)));
        Assert.Equal("ImageUsingByInstance", await CodeOf(() => Delete(me, byDisk.Id)));
        await Delete(me, byInstance.Id, force: true);
        await Delete(me, byDisk.Id, force: true);
        Assert.Null(await LoadAsync(byInstance.Id));
        Assert.Null(await LoadAsync(byDisk.Id));
    }

    [Theory]
    [InlineData("ImportImage", "ImageIsImporting")]
    [InlineData("ExportImage", "ImageIsExporting")]
    [InlineData("CopyImage", "OperationDenied.ImageCopying")]
    public async Task ATransferInProgressBlocksDelete(string action, string code)
    {
        var me = SeededServiceFixture.NewAccount();
        var image = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "busy");
        await ImageRows.AddTaskAsync(service.Environment.Database, me.AccountId, Region, image.Id, action);
        Assert.Equal(code, await CodeOf(() => Delete(me, image.Id, force: true)));
    }

    [Fact]
    public async Task FromFamilyGivesTheNewestAvailableVisibleImage()
    {
        var me = SeededServiceFixture.NewAccount();
        var db = service.Environment.Database;
        var older = await ImageRows.AddCustomImageAsync(db, me.AccountId, Region, "fam-1", createdAt: new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), family: "my-family");
        var newer = await ImageRows.AddCustomImageAsync(db, me.AccountId, Region, "fam-2", createdAt: new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc), family: "my-family");
        await ImageRows.AddCustomImageAsync(db, me.AccountId, Region, "fam-3", ImageStatuses.Creating, createdAt: new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc), family: "my-family");

        Assert.Equal(newer.Id, (await service.Queries.FromFamilyAsync(me, Region, "my-family", CancellationToken.None))!.Image.Id);
        await Modify(me, newer.Id, new ImageAttributeChanges { Status = "Deprecated" });
        Assert.Equal(older.Id, (await service.Queries.FromFamilyAsync(me, Region, "my-family", CancellationToken.None))!.Image.Id);
        Assert.Null(await service.Queries.FromFamilyAsync(SeededServiceFixture.NewAccount(), Region, "my-family", CancellationToken.None));
        var ubuntu = await service.Queries.FromFamilyAsync(me, Region, "acs:ubuntu_22_04_x64", CancellationToken.None);
        Assert.Equal(PublicUbuntu, ubuntu!.Image.Id);
    }

    [Fact]
    public async Task SupportedInstanceTypesFollowTheArchitecture()
    {
        var me = SeededServiceFixture.NewAccount();
        var arm = await service.Queries.SupportedInstanceTypesAsync(me, Region, "ubuntu_22_04_arm64_20G_alibase_20240130.vhd", null, CancellationToken.None);
        Assert.NotEmpty(arm);
        Assert.All(arm, t => Assert.Equal("arm64", t.Architecture));
        var x86 = await service.Queries.SupportedInstanceTypesAsync(me, Region, PublicUbuntu, "CreateEcs", CancellationToken.None);
        Assert.Contains(x86, t => t.InstanceTypeId == "ecs.g7.large");
        Assert.All(x86, t => Assert.Equal("x86_64", t.Architecture));
        var i386 = service.Queries.SupportedTypes("i386").ToList();
        Assert.All(i386, t => Assert.True(t.MemorySize < 4));

        var theirs = await ImageRows.AddCustomImageAsync(service.Environment.Database, SeededServiceFixture.NewAccount().AccountId, Region, "hidden");
        Assert.Equal("InvalidImageId.NotFound", await CodeOf(() => service.Queries.SupportedInstanceTypesAsync(me, Region, theirs.Id, null, CancellationToken.None)));
        Assert.Equal("InvalidParameter", await CodeOf(() => service.Queries.SupportedInstanceTypesAsync(me, Region, PublicUbuntu, "Fly", CancellationToken.None)));
    }
}
