using Imago.Core.Errors;
using Imago.Core.Regions;

namespace Imago.Core.Tests;

public sealed class RegionCatalogTests
{
    [Fact]
    public void KnownRegionsGetTheirNamesAndZones()
    {
        var catalog = new RegionCatalog(RegionCatalog.DefaultRegionIds);
        var hangzhou = catalog.Require("cn-hangzhou");
        Assert.Equal("China (Hangzhou)", hangzhou.LocalName);
        Assert.Equal("ecs.cn-hangzhou.aliyuncs.com", hangzhou.RegionEndpoint);
        Assert.Contains(hangzhou.Zones, z => z.ZoneId == "cn-hangzhou-h");
    }

    [Fact]
    public void UnknownRegionIsTheDocumentedError()
    {
        var catalog = new RegionCatalog(["cn-hangzhou"]);
        var error = Assert.Throws<EcsException>(() => catalog.Require("cn-shanghai"));
        Assert.Equal("InvalidRegionId.NotFound", error.Code);
        Assert.Equal(404, error.HttpStatus);
    }

    [Theory]
    [InlineData("CN-HANGZHOU")]
    [InlineData("../etc")]
    [InlineData("hangzhou")]
    public void MalformedRegionIdsAreRefusedAtStart(string id) =>
        Assert.Throws<ArgumentException>(() => new RegionCatalog([id]));
}
