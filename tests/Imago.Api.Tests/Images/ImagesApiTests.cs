using System.Net;
using System.Text.Json.Nodes;
using Imago.Api.Tests.Infrastructure;
using Imago.Core.Images.PublicCatalog;
using Imago.Data;
using Imago.Data.Entities;

namespace Imago.Api.Tests.Images;

/// <summary>The image actions over HTTP against the real service: wire shapes (JSON and XML), errors, isolation.</summary>
public sealed class ImagesApiTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    private const string Region = "cn-hangzhou";

    private async Task<(EcsClient Client, long AccountId)> NewClientAsync()
    {
        var account = await server.CreateAccountAsync();
        return (new EcsClient(server.CreateHttpClient(), account.AccessKeyId, account.AccessKeySecret), account.AccountId);
    }

    private static Dictionary<string, string> P(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    [Theory]
    [InlineData("cn-hangzhou")]
    [InlineData("cn-shanghai")]
    [InlineData("ap-southeast-1")]
    public async Task EveryPublicImageIsListedInEveryRegion(string region)
    {
        var (client, _) = await NewClientAsync();
        var body = await client.CallOkAsync("DescribeImages", P(("RegionId", region), ("ImageOwnerAlias", "system"), ("PageSize", "100")));
        Assert.Equal(region, body["RegionId"]!.GetValue<string>());
        Assert.Equal(PublicImageCatalog.Entries.Count, body["TotalCount"]!.GetValue<int>());
        var ids = body["Images"]!["Image"]!.AsArray().Select(i => i!["ImageId"]!.GetValue<string>()).Order();
        Assert.Equal(PublicImageCatalog.Entries.Select(e => e.ImageId).Order(), ids);
    }

    [Theory]
    [InlineData(SignatureStyle.V3)]
    [InlineData(SignatureStyle.V1Get)]
    [InlineData(SignatureStyle.V1Post)]
    public async Task APublicImageHasTheDocumentedShapeAndTypes(SignatureStyle style)
    {
        var (client, _) = await NewClientAsync();
        const string id = "ubuntu_22_04_x64_20G_alibase_20240130.vhd";
        var body = (await client.CallAsync("DescribeImages", P(("RegionId", Region), ("ImageId", id)), style)).EnsureSuccess();
        Assert.Equal((1, 1, 10), (body["TotalCount"]!.GetValue<int>(), body["PageNumber"]!.GetValue<int>(), body["PageSize"]!.GetValue<int>()));
        var image = Assert.Single(body["Images"]!["Image"]!.AsArray())!.AsObject();
        Assert.Equal(id, image["ImageId"]!.GetValue<string>());
        Assert.Equal(id, image["ImageName"]!.GetValue<string>());
        Assert.Equal("acs:ubuntu_22_04_x64", image["ImageFamily"]!.GetValue<string>());
        Assert.Equal("Available", image["Status"]!.GetValue<string>());
        Assert.Equal("100%", image["Progress"]!.GetValue<string>());
        Assert.Equal("system", image["ImageOwnerAlias"]!.GetValue<string>());
        Assert.Equal("", image["IsSelfShared"]!.GetValue<string>());
        Assert.True(image["IsPublic"]!.GetValue<bool>());
        Assert.False(image["IsCopied"]!.GetValue<bool>());
        Assert.Equal(20, image["Size"]!.GetValue<int>());
        Assert.Equal(("linux", "Ubuntu", "x86_64", "BIOS"), (image["OSType"]!.GetValue<string>(), image["Platform"]!.GetValue<string>(),
            image["Architecture"]!.GetValue<string>(), image["BootMode"]!.GetValue<string>()));
        Assert.Equal("Ubuntu  22.04 64 bit", image["OSNameEn"]!.GetValue<string>());
        Assert.Equal("2024-01-30T00:00:00Z", image["CreationTime"]!.GetValue<string>());
        Assert.Equal("none", image["Usage"]!.GetValue<string>());
        Assert.True(image["IsSupportCloudinit"]!.GetValue<bool>());
        Assert.Empty(image["Tags"]!["Tag"]!.AsArray());
        Assert.Equal("supported", image["Features"]!["NvmeSupport"]!.GetValue<string>());
        var mapping = Assert.Single(image["DiskDeviceMappings"]!["DiskDeviceMapping"]!.AsArray())!;
        Assert.Equal("20", mapping["Size"]!.GetValue<string>()); // a string, as the SDK models declare
        Assert.Equal(("system", "/dev/xvda"), (mapping["Type"]!.GetValue<string>(), mapping["Device"]!.GetValue<string>()));
        Assert.StartsWith("s-bp", mapping["SnapshotId"]!.GetValue<string>());
    }

    [Fact]
    public async Task XmlHasTheWrapperElements()
    {
        var (client, _) = await NewClientAsync();
        var response = await client.CallAsync("DescribeImages", P(("RegionId", Region), ("ImageFamily", "acs:centos_7_9_x64")), SignatureStyle.V1Get, "XML");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var root = response.Xml!.Root!;
        Assert.Equal("DescribeImagesResponse", root.Name.LocalName);
        var image = Assert.Single(root.Element("Images")!.Elements("Image"));
        Assert.Equal("centos_7_9_x64_20G_alibase_20231220.vhd", image.Element("ImageId")!.Value);
        Assert.Equal("20", image.Element("DiskDeviceMappings")!.Element("DiskDeviceMapping")!.Element("Size")!.Value);
        Assert.NotNull(image.Element("Tags"));
        Assert.Equal("1", root.Element("TotalCount")!.Value);
    }

    [Fact]
    public async Task CustomImagesAreIsolatedUntilShared()
    {
        var (a, aId) = await NewClientAsync();
        var (b, bId) = await NewClientAsync();
        var image = await AddCustomImageAsync(aId, "team-base");

        var asOwner = (await a.CallOkAsync("DescribeImages", P(("RegionId", Region), ("ImageOwnerAlias", "self"))))["Images"]!["Image"]!.AsArray();
        var own = Assert.Single(asOwner)!;
        Assert.Equal(("self", "False", aId), (own["ImageOwnerAlias"]!.GetValue<string>(), own["IsSelfShared"]!.GetValue<string>(), own["ImageOwnerId"]!.GetValue<long>()));

        var byId = await b.CallOkAsync("DescribeImages", P(("RegionId", Region), ("ImageId", image)));
        Assert.Equal(0, byId["TotalCount"]!.GetValue<int>());
        (await b.CallAsync("DeleteImage", P(("RegionId", Region), ("ImageId", image)))).AssertError("InvalidImageId.NotFound", 404);
        (await b.CallAsync("ModifyImageAttribute", P(("RegionId", Region), ("ImageId", image), ("ImageName", "mine-now")))).AssertError("InvalidImageId.NotFound", 404);

        await ShareAsync(image, bId);
        var shared = Assert.Single((await b.CallOkAsync("DescribeImages", P(("RegionId", Region), ("ImageOwnerAlias", "others"))))["Images"]!["Image"]!.AsArray())!;
        Assert.Equal((image, "others", ""), (shared["ImageId"]!.GetValue<string>(), shared["ImageOwnerAlias"]!.GetValue<string>(), shared["IsSelfShared"]!.GetValue<string>()));
        var ownAfter = Assert.Single((await a.CallOkAsync("DescribeImages", P(("RegionId", Region), ("ImageId", image))))["Images"]!["Image"]!.AsArray())!;
        Assert.Equal("True", ownAfter["IsSelfShared"]!.GetValue<string>());
        (await a.CallAsync("DeleteImage", P(("RegionId", Region), ("ImageId", image), ("Force", "true")))).AssertError("ImageUseShared", 403);
    }

    [Fact]
    public async Task ModifyDeprecateAndDelete()
    {
        var (client, accountId) = await NewClientAsync();
        var image = await AddCustomImageAsync(accountId, "app-v1");
        await client.CallOkAsync("ModifyImageAttribute", P(("RegionId", Region), ("ImageId", image), ("ImageName", "app-v2"),
            ("Description", "the app"), ("ImageFamily", "app"), ("Features.NvmeSupport", "supported"), ("Status", "Deprecated")));
        var hidden = await client.CallOkAsync("DescribeImages", P(("RegionId", Region), ("ImageOwnerAlias", "self")));
        Assert.Equal(0, hidden["TotalCount"]!.GetValue<int>());
        var listed = Assert.Single((await client.CallOkAsync("DescribeImages", P(("RegionId", Region), ("ImageOwnerAlias", "self"), ("Status", "Available,Deprecated"))))["Images"]!["Image"]!.AsArray())!;
        Assert.Equal(("app-v2", "the app", "app", "Deprecated"), (listed["ImageName"]!.GetValue<string>(), listed["Description"]!.GetValue<string>(),
            listed["ImageFamily"]!.GetValue<string>(), listed["Status"]!.GetValue<string>()));

        (await client.CallAsync("ModifyImageAttribute", P(("RegionId", Region), ("ImageId", image), ("ImageName", "acs:nope")))).AssertError("InvalidImageName.Malformed", 400);
        (await client.CallAsync("ModifyImageAttribute", P(("RegionId", Region)))).AssertError("MissingParameter", 400);
        (await client.CallAsync("DeleteImage", P(("RegionId", Region), ("ImageId", image), ("DryRun", "true")))).AssertError("DryRunOperation", 400);
        var deleted = await client.CallOkAsync("DeleteImage", P(("RegionId", Region), ("ImageId", image)));
        Assert.NotNull(deleted["RequestId"]);
        Assert.Null(deleted["Code"]); // pop-core treats any Code as an error
        var gone = await client.CallOkAsync("DescribeImages", P(("RegionId", Region), ("ImageId", image), ("Status", "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated")));
        Assert.Equal(0, gone["TotalCount"]!.GetValue<int>());
        (await client.CallAsync("DeleteImage", P(("RegionId", Region), ("ImageId", image)))).AssertError("InvalidImageId.NotFound", 404);
    }

    [Fact]
    public async Task FromFamilyIsASingleObject()
    {
        var (client, _) = await NewClientAsync();
        var body = await client.CallOkAsync("DescribeImageFromFamily", P(("RegionId", Region), ("ImageFamily", "acs:debian_12_x64")));
        Assert.Equal("debian_12_4_x64_20G_alibase_20240126.vhd", body["Image"]!["ImageId"]!.GetValue<string>());
        var none = await client.CallOkAsync("DescribeImageFromFamily", P(("RegionId", Region), ("ImageFamily", "no-such-family")));
        Assert.Empty(none["Image"]!.AsObject());
        (await client.CallAsync("DescribeImageFromFamily", P(("RegionId", Region)))).AssertError("MissingParameter", 400);
        (await client.CallAsync("DescribeImageFromFamily", P(("RegionId", "xx-nowhere-1"), ("ImageFamily", "a")))).AssertError("InvalidRegionId.NotFound", 404);
    }

    [Fact]
    public async Task SupportedInstanceTypesAreWrapped()
    {
        var (client, _) = await NewClientAsync();
        var body = await client.CallOkAsync("DescribeImageSupportInstanceTypes", P(("RegionId", Region), ("ImageId", "aliyun_3_arm64_20G_alibase_20240105.vhd")));
        var types = body["InstanceTypes"]!["InstanceType"]!.AsArray();
        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.Contains("y", t!["InstanceTypeFamily"]!.GetValue<string>()));
        Assert.IsAssignableFrom<int>(types[0]!["CpuCoreCount"]!.GetValue<int>());
        (await client.CallAsync("DescribeImageSupportInstanceTypes", P(("RegionId", Region), ("ImageId", "m-bp1none")))).AssertError("InvalidImageId.NotFound", 404);
    }

    [Theory]
    [InlineData("ImageOwnerAlias", "friends", "InvalidImageOwnerAlias.ValueNotSupported", 400)]
    [InlineData("Usage", "often", "InvalidUsage", 404)]
    [InlineData("OSType", "plan9", "InvalidOSType", 404)]
    [InlineData("Architecture", "sparc", "InvalidArchitecture", 404)]
    [InlineData("InstanceType", "ecs.none.large", "InvalidInstanceType.ValueNotSupported", 400)]
    [InlineData("PageSize", "0", "InvalidParameter", 400)]
    [InlineData("PageSize", "101", "InvalidParameter", 400)]
    [InlineData("PageNumber", "x", "InvalidParameter", 400)]
    [InlineData("IsPublic", "maybe", "InvalidParameter", 400)]
    [InlineData("IsPublic", "true", "InvalidParameter", 400)]
    [InlineData("Filter.1.Key", "Color", "InvalidFilterKey.NotFound", 404)]
    [InlineData("Tag.21.Key", "k", "InvalidTagCount", 400)]
    [InlineData("Tag.1.Value", "v", "InvalidTag.Mismatch", 400)]
    [InlineData("DryRun", "true", "DryRunOperation", 400)]
    public async Task BadParametersGetTheDocumentedErrors(string name, string value, string code, int status)
    {
        var (client, _) = await NewClientAsync();
        var parameters = P(("RegionId", Region), (name, value));
        if (name == "Filter.1.Key")
        {
            parameters["Filter.1.Value"] = "red";
        }

        (await client.CallAsync("DescribeImages", parameters)).AssertError(code, status);
    }

    [Fact]
    public async Task MissingOrUnknownRegion()
    {
        var (client, _) = await NewClientAsync();
        (await client.CallAsync("DescribeImages", P())).AssertError("MissingParameter", 400);
        (await client.CallAsync("DescribeImages", P(("RegionId", "cn-atlantis")))).AssertError("InvalidRegionId.NotFound", 404);
    }

    [Fact]
    public async Task EveryFilterWorksOnThisDatabase()
    {
        var (client, accountId) = await NewClientAsync();
        var tagged = await AddCustomImageAsync(accountId, "Filter-Target");
        await using (var db = server.GetRequiredService<ImagoDatabase>().CreateContext())
        {
            db.Tags.Add(new ResourceTagEntity { ResourceType = "image", ResourceId = tagged, RegionId = Region, Key = "team", Value = "blue" });
            db.Instances.Add(new InstanceEntity
            {
                Id = Core.Ids.ResourceIds.NewInstanceId(Region), AccountId = accountId, RegionId = Region, ZoneId = Region + "-h", Name = "vm",
                InstanceType = "ecs.g7.large", ImageId = "debian_12_4_x64_20G_alibase_20240126.vhd", Status = InstanceStatuses.Running,
            });
            await db.SaveChangesAsync();
        }

        async Task<string[]> Ids(params (string, string)[] filters)
        {
            var body = await client.CallOkAsync("DescribeImages", P([("RegionId", Region), ("PageSize", "100"), .. filters]));
            return [.. body["Images"]!["Image"]!.AsArray().Select(i => i!["ImageId"]!.GetValue<string>())];
        }

        Assert.Equal([tagged], await Ids(("ImageName", "filter-tar")));
        Assert.Equal([tagged], await Ids(("Tag.1.Key", "team"), ("Tag.1.Value", "blue")));
        Assert.Empty(await Ids(("Tag.1.Key", "team"), ("Tag.1.Value", "red")));
        Assert.Equal([tagged], await Ids(("Tag.1.key", "team"), ("Tag.1.value", "blue"))); // the deprecated lower-case fields
        Assert.Equal(["debian_12_4_x64_20G_alibase_20240126.vhd"], await Ids(("Usage", "instance")));
        Assert.Equal(["aliyun_2_1903_x64_20G_alibase_20200324.vhd"], await Ids(("Filter.1.Key", "CreationEndTime"), ("Filter.1.Value", "2021-01-01T00:00Z")));
        Assert.Equal([tagged], await Ids(("Filter.1.Key", "CreationStartTime"), ("Filter.1.Value", "2025-01-01T00:00Z")));
        Assert.Equal(["ubuntu_22_04_arm64_20G_alibase_20240130.vhd", "aliyun_3_arm64_20G_alibase_20240105.vhd"], await Ids(("InstanceType", "ecs.c8y.large")));
        Assert.Equal(2, (await Ids(("OSType", "windows"), ("ImageOwnerAlias", "system"))).Length);
        Assert.Equal(PublicImageCatalog.Entries.Count + 1, (await Ids(("IsPublic", "false"))).Length); // false: all but community images
        Assert.Empty(await Ids(("IsPublic", "true"), ("ImageOwnerAlias", "others"))); // community images: none here
        Assert.Equal([tagged], await Ids(("ImageOwnerAlias", "self"), ("ImageOwnerId", "1000000000000001"))); // shared images only
        Assert.Empty(await Ids(("ImageOwnerAlias", "others"), ("ImageOwnerId", "1000000000000001")));
        Assert.Contains("coreos", (await Ids(("IsSupportCloudinit", "false")))[0], StringComparison.Ordinal);
        var snapshot = (await client.CallOkAsync("DescribeImages", P(("RegionId", Region), ("ImageId", "centos_7_9_x64_20G_alibase_20231220.vhd"))))
            ["Images"]!["Image"]![0]!["DiskDeviceMappings"]!["DiskDeviceMapping"]![0]!["SnapshotId"]!.GetValue<string>();
        Assert.Equal(["centos_7_9_x64_20G_alibase_20231220.vhd"], await Ids(("SnapshotId", snapshot)));
        var page2 = await client.CallOkAsync("DescribeImages", P(("RegionId", Region), ("PageNumber", "2"), ("PageSize", "4")));
        Assert.Equal((PublicImageCatalog.Entries.Count + 1, 2, 4), (page2["TotalCount"]!.GetValue<int>(), page2["PageNumber"]!.GetValue<int>(), page2["PageSize"]!.GetValue<int>()));
        Assert.Equal(4, page2["Images"]!["Image"]!.AsArray().Count);
    }

    private async Task<string> AddCustomImageAsync(long owner, string name)
    {
        var id = Core.Ids.ResourceIds.NewImageId(Region);
        await using var db = server.GetRequiredService<ImagoDatabase>().CreateContext();
        db.Images.Add(new ImageEntity
        {
            RegionId = Region, Id = id, OwnerAccountId = owner, Kind = ImageKinds.Custom, Name = name, Status = ImageStatuses.Available,
            Progress = 100, SizeGiB = 40, CreatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
        return id;
    }

    private async Task ShareAsync(string imageId, long withAccount)
    {
        await using var db = server.GetRequiredService<ImagoDatabase>().CreateContext();
        db.ImageShares.Add(new ImageShareEntity { RegionId = Region, ImageId = imageId, AccountId = withAccount, SharedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }
}
