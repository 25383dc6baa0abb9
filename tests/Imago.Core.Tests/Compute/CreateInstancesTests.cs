using Imago.Core.Compute;
using Imago.Core.Errors;
using Imago.Data.Entities;
using static Imago.Core.Tests.Compute.ComputeFixture;

namespace Imago.Core.Tests.Compute;

/// <summary>The console's create form: RunInstances' Amount with CreateInstance's Stopped status, all or none.</summary>
public sealed class CreateInstancesTests
{
    [Fact]
    public async Task AmountInstancesAreCreatedStoppedWithTheirDisksAndTags()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();
        var request = Launch(image.Id) with
        {
            Amount = 2,
            ZoneId = "cn-hangzhou-i",
            DataDisks = [new DataDiskOptions(1, SizeGiB: 30, Category: "cloud_essd", DeleteWithInstance: false)],
            Tags = [new("env", "prod")],
        };

        var ids = (await f.Instances.CreateInstancesAsync(Alice, request, default)).InstanceIds;

        Assert.Equal(2, ids.Distinct().Count());
        var listed = (await f.Queries.DescribeAsync(Alice, new InstanceFilter { RegionId = Region }, new PageRequest(), default)).Items;
        Assert.Equal(ids.Order(), listed.Select(i => i.Instance.Id).Order());
        Assert.All(listed, i =>
        {
            Assert.Equal(InstanceStatuses.Stopped, i.Instance.Status);
            Assert.Equal("cn-hangzhou-i", i.Instance.ZoneId);
            Assert.Equal([new("env", "prod")], i.Tags);
        });
        foreach (var id in ids)
        {
            var data = Assert.Single(await f.DisksOfAsync(Alice, id), d => d.Type == DiskTypes.Data);
            Assert.Equal((30, "cloud_essd", false), (data.SizeGiB, data.Category, data.DeleteWithInstance));
        }
    }

    [Fact]
    public async Task ARefusedRequestCreatesNothing()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();

        var refusal = await Assert.ThrowsAsync<EcsException>(() => f.Instances.CreateInstancesAsync(Alice,
            Launch(image.Id) with { Amount = 3, DataDisks = [new DataDiskOptions(1, SizeGiB: 40000)] }, default));

        Assert.Equal("InvalidDataDiskSize.ValueNotSupported", refusal.Code);
        Assert.Empty((await f.Queries.DescribeAsync(Alice, new InstanceFilter { RegionId = Region }, new PageRequest(), default)).Items);
    }
}
