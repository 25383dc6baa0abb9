using Imago.Core.Errors;
using Imago.Core.Images;
using Imago.Core.Images.PublicCatalog;
using Imago.Data.Entities;

namespace Imago.Core.Tests.Images;

public sealed class DescribeImagesTests(SeededServiceFixture service) : IClassFixture<SeededServiceFixture>
{
    private const string Region = "cn-hangzhou";

    private Task<ImagePage> Describe(Caller caller, ImageQuery query, string region = Region) =>
        service.Queries.DescribeAsync(caller, region, query, dryRun: false, CancellationToken.None);

    [Theory]
    [InlineData("cn-hangzhou")]
    [InlineData("cn-shanghai")]
    [InlineData("ap-southeast-1")]
    public async Task EveryPublicImageIsAvailableInEveryRegion(string region)
    {
        var page = await Describe(SeededServiceFixture.NewAccount(), new ImageQuery { ImageOwnerAlias = "system", PageSize = 100 }, region);
        Assert.Equal(PublicImageCatalog.Entries.Select(e => e.ImageId).Order(), page.Images.Select(v => v.Image.Id).Order());
        Assert.Equal(PublicImageCatalog.Entries.Count, page.TotalCount);
        Assert.All(page.Images, v =>
        {
            var definition = PublicImageCatalog.Find(v.Image.Id)!;
            Assert.Equal(ImageStatuses.Available, v.Image.Status);
            Assert.Equal("system", v.OwnerAlias);
            Assert.True(v.IsPublic);
            Assert.Null(v.IsSelfShared);
            Assert.Equal(v.Image.Id, v.Image.Name);
            Assert.Equal(definition.Platform, v.Image.Platform);
            Assert.Equal(definition.ImageFamily, v.Image.Family);
            Assert.Equal(definition.SizeGiB, v.Image.SizeGiB);
            Assert.StartsWith("s-", Assert.Single(v.Image.DiskMappings).SnapshotId);
        });
    }

    [Fact]
    public async Task TheCatalogCoversEveryOsFamilyOfTheSeedAndAnArmImage()
    {
        string[] platforms = ["Windows Server 2022", "CentOS", "Ubuntu", "Debian", "SUSE", "OpenSUSE", "Aliyun", "CoreOS", "FreeBSD"];
        var page = await Describe(SeededServiceFixture.NewAccount(), new ImageQuery { PageSize = 100 });
        Assert.All(platforms, p => Assert.Contains(page.Images, v => v.Image.Platform == p));
        Assert.Contains(page.Images, v => v.Image.Architecture == "arm64");
    }

    [Fact]
    public async Task DefaultOwnerSetIsSystemSelfAndSharedButNotMarketplace()
    {
        var me = SeededServiceFixture.NewAccount();
        var other = SeededServiceFixture.NewAccount();
        var mine = await AddImageAsync(me, "mine");
        var shared = await AddImageAsync(other, "theirs-shared");
        var hidden = await AddImageAsync(other, "theirs-private");
        await ImageRows.ShareAsync(service.Environment.Database, shared, me.AccountId);
        var market = await AddMarketplaceImageAsync();

        var all = await Describe(me, new ImageQuery { PageSize = 100 });
        var ids = all.Images.Select(v => v.Image.Id).ToHashSet();
        Assert.Contains(mine.Id, ids);
        Assert.Contains(shared.Id, ids);
        Assert.DoesNotContain(hidden.Id, ids);
        Assert.DoesNotContain(market, ids);
        Assert.Equal(PublicImageCatalog.Entries.Count + 2, all.TotalCount);

        Assert.Equal([mine.Id], (await Describe(me, new ImageQuery { ImageOwnerAlias = "self" })).Images.Select(v => v.Image.Id));
        var others = Assert.Single((await Describe(me, new ImageQuery { ImageOwnerAlias = "others" })).Images);
        Assert.Equal((shared.Id, "others", (bool?)null), (others.Image.Id, others.OwnerAlias, others.IsSelfShared));
        Assert.Contains(market, (await Describe(me, new ImageQuery { ImageOwnerAlias = "marketplace" })).Images.Select(v => v.Image.Id));

        // The owner sees its shared image as its own, shared.
        var ownerView = Assert.Single((await Describe(other, new ImageQuery { ImageIds = [shared.Id] })).Images);
        Assert.Equal(("self", (bool?)true), (ownerView.OwnerAlias, ownerView.IsSelfShared));
        var privateView = Assert.Single((await Describe(other, new ImageQuery { ImageIds = [hidden.Id] })).Images);
        Assert.Equal(false, privateView.IsSelfShared);
    }

    [Fact]
    public async Task ImageOwnerIdPicksTheOwnerOfSharedImages()
    {
        var me = SeededServiceFixture.NewAccount();
        var alice = SeededServiceFixture.NewAccount();
        var bob = SeededServiceFixture.NewAccount();
        var fromAlice = await AddImageAsync(alice, "from-alice");
        var fromBob = await AddImageAsync(bob, "from-bob");
        var mine = await AddImageAsync(me, "my-own");
        await ImageRows.ShareAsync(service.Environment.Database, fromAlice, me.AccountId);
        await ImageRows.ShareAsync(service.Environment.Database, fromBob, me.AccountId);

        var shared = await Describe(me, new ImageQuery { ImageOwnerAlias = "others", ImageOwnerId = alice.AccountId });
        Assert.Equal(fromAlice.Id, Assert.Single(shared.Images).Image.Id);
        var everything = await Describe(me, new ImageQuery { ImageOwnerId = bob.AccountId, PageSize = 100 });
        var ids = everything.Images.Select(v => v.Image.Id).ToHashSet();
        Assert.Contains(fromBob.Id, ids);
        Assert.Contains(mine.Id, ids); // own and system images are not filtered by it
        Assert.DoesNotContain(fromAlice.Id, ids);
        Assert.Equal(PublicImageCatalog.Entries.Count + 2, everything.TotalCount);
    }

    [Fact]
    public async Task AnotherAccountNeverSeesAnUnsharedCustomImage()
    {
        var a = SeededServiceFixture.NewAccount();
        var b = SeededServiceFixture.NewAccount();
        var image = await AddImageAsync(a, "private-one");
        foreach (var query in new[]
        {
            new ImageQuery { ImageIds = [image.Id] },
            new ImageQuery { ImageName = "private-one" },
            new ImageQuery { ImageOwnerAlias = "others", PageSize = 100 },
            new ImageQuery { ImageOwnerId = a.AccountId },
            new ImageQuery { SnapshotId = image.DiskMappings[0].SnapshotId },
        })
        {
            Assert.DoesNotContain((await Describe(b, query)).Images, v => v.Image.Id == image.Id);
        }

        Assert.Single((await Describe(a, new ImageQuery { ImageIds = [image.Id] })).Images);
    }

    [Fact]
    public async Task ImageIdTakesACommaListAndAnUnknownIdIsAnEmptyList()
    {
        var caller = SeededServiceFixture.NewAccount();
        var two = await Describe(caller, new ImageQuery { ImageIds = ["ubuntu_22_04_x64_20G_alibase_20240130.vhd", "centos_7_9_x64_20G_alibase_20231220.vhd", "m-nothere"] });
        Assert.Equal(2, two.TotalCount);
        var none = await Describe(caller, new ImageQuery { ImageIds = ["m-bp1doesnotexist00000"] });
        Assert.Equal(0, none.TotalCount);
        Assert.Empty(none.Images);
    }

    [Fact]
    public async Task NameIsFuzzyFamilyAndSnapshotAreExact()
    {
        var caller = SeededServiceFixture.NewAccount();
        var ubuntu22 = await Describe(caller, new ImageQuery { ImageName = "UBUNTU_22_04" });
        Assert.Equal(2, ubuntu22.TotalCount);
        Assert.All(ubuntu22.Images, v => Assert.StartsWith("ubuntu_22_04_", v.Image.Id));

        var family = Assert.Single((await Describe(caller, new ImageQuery { ImageFamily = "acs:ubuntu_22_04_arm64" })).Images);
        Assert.Equal("ubuntu_22_04_arm64_20G_alibase_20240130.vhd", family.Image.Id);

        var snapshotId = family.Image.DiskMappings[0].SnapshotId;
        Assert.Equal(family.Image.Id, Assert.Single((await Describe(caller, new ImageQuery { SnapshotId = snapshotId })).Images).Image.Id);
        Assert.Empty((await Describe(caller, new ImageQuery { ImageName = "%" })).Images); // wildcards are literal
    }

    [Fact]
    public async Task StatusDefaultsToAvailableAndTakesACommaList()
    {
        var me = SeededServiceFixture.NewAccount();
        var creating = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "being-made", ImageStatuses.Creating);
        var deprecated = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "old-one", ImageStatuses.Deprecated);
        var self = new ImageQuery { ImageOwnerAlias = "self" };
        Assert.Empty((await Describe(me, self)).Images);
        var both = await Describe(me, self with { Statuses = ["Creating", "Deprecated"] });
        Assert.Equal(new[] { creating.Id, deprecated.Id }.Order(), both.Images.Select(v => v.Image.Id).Order());
        var ex = await Assert.ThrowsAsync<EcsException>(() => Describe(me, self with { Statuses = ["Gone"] }));
        Assert.Equal("InvalidParameter", ex.Code);
    }

    [Fact]
    public async Task OsTypeArchitectureAndInstanceTypeFilter()
    {
        var caller = SeededServiceFixture.NewAccount();
        var windows = await Describe(caller, new ImageQuery { OSType = "windows" });
        Assert.Equal(PublicImageCatalog.Entries.Count(e => e.OSType == "windows"), windows.TotalCount);
        Assert.All(windows.Images, v => Assert.StartsWith("Windows Server", v.Image.Platform));

        var arm = await Describe(caller, new ImageQuery { Architecture = "arm64" });
        Assert.Equal(PublicImageCatalog.Entries.Count(e => e.Architecture == "arm64"), arm.TotalCount);

        var onYitian = await Describe(caller, new ImageQuery { InstanceType = "ecs.g8y.large", PageSize = 100 });
        Assert.Equal(arm.Images.Select(v => v.Image.Id).Order(), onYitian.Images.Select(v => v.Image.Id).Order());
        var onX86 = await Describe(caller, new ImageQuery { InstanceType = "ecs.g7.large", PageSize = 100 });
        Assert.All(onX86.Images, v => Assert.Equal("x86_64", v.Image.Architecture));

        var noCloudinit = await Describe(caller, new ImageQuery { IsSupportCloudinit = false });
        Assert.All(noCloudinit.Images, v => Assert.False(v.Image.IsSupportCloudinit));
        Assert.NotEmpty(noCloudinit.Images);
    }

    [Fact]
    public async Task UsageIsRelativeToTheCaller()
    {
        var a = SeededServiceFixture.NewAccount();
        var b = SeededServiceFixture.NewAccount();
        const string debian = "debian_12_4_x64_20G_alibase_20240126.vhd";
        await ImageRows.AddInstanceAsync(service.Environment.Database, a.AccountId, Region, debian);

        var used = await Describe(a, new ImageQuery { Usage = "instance", ImageOwnerAlias = "system" });
        Assert.Equal(debian, Assert.Single(used.Images).Image.Id);
        Assert.True(used.Images[0].InUse);
        Assert.DoesNotContain((await Describe(a, new ImageQuery { Usage = "none", PageSize = 100 })).Images, v => v.Image.Id == debian);
        Assert.Empty((await Describe(b, new ImageQuery { Usage = "instance" })).Images); // B learns nothing of A's instances
    }

    [Fact]
    public async Task TagsMustAllMatch()
    {
        var me = SeededServiceFixture.NewAccount();
        var one = await AddImageAsync(me, "tagged-one");
        var two = await AddImageAsync(me, "tagged-two");
        await ImageRows.TagAsync(service.Environment.Database, one, "team", "a");
        await ImageRows.TagAsync(service.Environment.Database, one, "env", "prod");
        await ImageRows.TagAsync(service.Environment.Database, two, "team", "b");

        Assert.Equal(2, (await Describe(me, new ImageQuery { Tags = [new("team", "")] })).TotalCount);
        var match = Assert.Single((await Describe(me, new ImageQuery { Tags = [new("team", "a"), new("env", "prod")] })).Images);
        Assert.Equal(one.Id, match.Image.Id);
        Assert.Equal([new("env", "prod"), new("team", "a")], match.Tags);
        Assert.Empty((await Describe(me, new ImageQuery { Tags = [new("team", "b"), new("env", "prod")] })).Images);
    }

    [Fact]
    public async Task CreationTimeFilters()
    {
        var me = SeededServiceFixture.NewAccount();
        var early = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "early", createdAt: new DateTime(2025, 3, 1, 8, 0, 0, DateTimeKind.Utc));
        var late = await ImageRows.AddCustomImageAsync(service.Environment.Database, me.AccountId, Region, "late", createdAt: new DateTime(2025, 6, 1, 8, 0, 0, DateTimeKind.Utc));
        var self = new ImageQuery { ImageOwnerAlias = "self" };
        Assert.Equal(late.Id, Assert.Single((await Describe(me, self with { Filters = [new("CreationStartTime", "2025-04-01T00:00Z")] })).Images).Image.Id);
        Assert.Equal(early.Id, Assert.Single((await Describe(me, self with { Filters = [new("CreationEndTime", "2025-04-01T00:00Z")] })).Images).Image.Id);
        var publicBefore2021 = await Describe(me, new ImageQuery { ImageOwnerAlias = "system", Filters = [new("CreationEndTime", "2021-01-01T00:00Z")] });
        Assert.Equal("aliyun_2_1903_x64_20G_alibase_20200324.vhd", Assert.Single(publicBefore2021.Images).Image.Id);
        Assert.Equal("InvalidFilterKey.NotFound", (await Assert.ThrowsAsync<EcsException>(() => Describe(me, self with { Filters = [new("Color", "red")] }))).Code);
        Assert.Equal("InvalidParameter", (await Assert.ThrowsAsync<EcsException>(() => Describe(me, self with { Filters = [new("CreationStartTime", "yesterday")] }))).Code);
    }

    [Fact]
    public async Task PagesAreStableAndComplete()
    {
        var caller = SeededServiceFixture.NewAccount();
        var seen = new List<string>();
        for (var page = 1; page <= 4; page++)
        {
            var result = await Describe(caller, new ImageQuery { PageNumber = page, PageSize = 5 });
            Assert.Equal(PublicImageCatalog.Entries.Count, result.TotalCount);
            Assert.Equal((page, 5), (result.PageNumber, result.PageSize));
            seen.AddRange(result.Images.Select(v => v.Image.Id));
        }

        Assert.Equal(PublicImageCatalog.Entries.Count, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        var firstPage = await Describe(caller, new ImageQuery { PageSize = 3 });
        Assert.Equal("ubuntu_24_04_x64_20G_alibase_20240812.vhd", firstPage.Images[0].Image.Id); // newest first
        Assert.Equal(10, (await Describe(caller, new ImageQuery())).Images.Count); // default page size
    }

    [Theory]
    [InlineData("alias", "InvalidImageOwnerAlias.ValueNotSupported", 400)]
    [InlineData("usage", "InvalidUsage", 404)]
    [InlineData("os", "InvalidOSType", 404)]
    [InlineData("arch", "InvalidArchitecture", 404)]
    [InlineData("type", "InvalidInstanceType.ValueNotSupported", 400)]
    [InlineData("action", "InvalidParameter", 400)]
    [InlineData("pagesize", "InvalidParameter", 400)]
    public async Task BadFiltersGetTheDocumentedErrors(string which, string code, int status)
    {
        var query = which switch
        {
            "alias" => new ImageQuery { ImageOwnerAlias = "friends" },
            "usage" => new ImageQuery { Usage = "sometimes" },
            "os" => new ImageQuery { OSType = "beos" },
            "arch" => new ImageQuery { Architecture = "mips" },
            "type" => new ImageQuery { InstanceType = "ecs.nope.large" },
            "action" => new ImageQuery { ActionType = "Explode" },
            _ => new ImageQuery { PageSize = 101 },
        };
        var ex = await Assert.ThrowsAsync<EcsException>(() => Describe(SeededServiceFixture.NewAccount(), query));
        Assert.Equal((code, status), (ex.Code, ex.HttpStatus));
    }

    [Fact]
    public async Task EnumerationsIgnoreCaseUnknownRegionAndDryRun()
    {
        var caller = SeededServiceFixture.NewAccount();
        Assert.Equal(2, (await Describe(caller, new ImageQuery { OSType = "Windows", ImageOwnerAlias = "System" })).TotalCount);
        var region = await Assert.ThrowsAsync<EcsException>(() => Describe(caller, new ImageQuery(), "cn-nowhere"));
        Assert.Equal("InvalidRegionId.NotFound", region.Code);
        var dry = await Assert.ThrowsAsync<EcsException>(() => service.Queries.DescribeAsync(caller, Region, new ImageQuery(), dryRun: true, CancellationToken.None));
        Assert.Equal("DryRunOperation", dry.Code);
    }

    private Task<ImageEntity> AddImageAsync(Caller owner, string name) =>
        ImageRows.AddCustomImageAsync(service.Environment.Database, owner.AccountId, Region, name);

    private async Task<string> AddMarketplaceImageAsync()
    {
        var id = Ids.ResourceIds.NewImageId(Region);
        await using var db = service.Environment.Database.CreateContext();
        db.Images.Add(new ImageEntity { RegionId = Region, Id = id, Kind = ImageKinds.Marketplace, Name = "market-" + id, Status = ImageStatuses.Available, ProductCode = "cmjj0000" + id[^4..] });
        await db.SaveChangesAsync();
        return id;
    }
}
