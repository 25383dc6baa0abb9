using System.Text.Json.Nodes;
using Imago.Api.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;

namespace Imago.Api.Tests.Compute;

/// <summary>RunInstances through DeleteInstance over HTTP, with the disks written and read over NBD by qemu-io.</summary>
public sealed class InstancesApiTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    [Fact]
    public async Task AnInstanceLivesFromRunToDeleteAndItsDisksAreServedOverNbd()
    {
        var client = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x5a);
        var other = await AddImageAsync(server, 0x77);

        var run = await client.CallOkAsync("RunInstances", Params(("RegionId", Region), ("ImageId", image), ("InstanceType", "ecs.g7.large"),
            ("SystemDisk.Size", "40"), ("SystemDisk.Category", "cloud_essd"), ("DataDisk.1.Size", "20"), ("DataDisk.1.Category", "cloud_essd"),
            ("InstanceName", "walk-1"), ("SecurityGroupId", "sg-ignored"), ("VSwitchId", "vsw-ignored"), ("Tag.1.Key", "env"), ("Tag.1.Value", "prod")));
        var instanceId = Assert.Single(run["InstanceIdSets"]!["InstanceIdSet"]!.AsArray())!.GetValue<string>();
        Assert.Equal("", run["OrderId"]!.GetValue<string>());

        var instance = Assert.Single(await InstancesAsync(client, instanceId));
        Assert.Equal(("Running", "walk-1", image, "ecs.g7.large", 2, 8192), (Text(instance, "Status"), Text(instance, "InstanceName"),
            Text(instance, "ImageId"), Text(instance, "InstanceType"), instance["Cpu"]!.GetValue<int>(), instance["Memory"]!.GetValue<int>()));
        Assert.Empty(instance["OperationLocks"]!["LockReason"]!.AsArray());
        Assert.Equal("""[{"TagKey":"env","TagValue":"prod"}]""", instance["Tags"]!["Tag"]!.ToJsonString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\dZ$", Text(instance, "CreationTime"));

        var disks = await DisksAsync(client, instanceId);
        var system = disks.Single(d => Text(d, "Type") == "system");
        var data = disks.Single(d => Text(d, "Type") == "data");
        Assert.Equal(("/dev/xvda", 40, "In_use", image), (Text(system, "Device"), system["Size"]!.GetValue<int>(), Text(system, "Status"), Text(system, "ImageId")));
        Assert.Equal(("/dev/xvdb", 20, ""), (Text(data, "Device"), data["Size"]!.GetValue<int>(), Text(data, "ImageId")));
        var systemUrl = Text(system, "NbdUrl");
        Assert.Equal($"nbd://127.0.0.1:{server.NbdEndpoint.Port}/{Text(system, "DiskId")}", systemUrl);

        await QemuIoAsync(systemUrl, "write -P 0xab 2M 64k");
        await QemuIoAsync(Text(data, "NbdUrl"), "write -P 0xcd 0 128k");
        await QemuIoAsync(systemUrl, "read -P 0xab 2M 64k", $"read -P 0x5a {MarkerOffset} 4k");
        await QemuIoAsync(Text(data, "NbdUrl"), "read -P 0xcd 0 128k");

        (await client.CallAsync("StartInstance", Params(("InstanceId", instanceId)))).AssertError("IncorrectInstanceStatus", 403);
        await client.CallOkAsync("StopInstance", Params(("InstanceId", instanceId)));
        Assert.Equal("Stopped", Text(Assert.Single(await InstancesAsync(client, instanceId)), "Status"));

        var replaced = await client.CallOkAsync("ReplaceSystemDisk", Params(("InstanceId", instanceId), ("ImageId", other)));
        var newDisk = Text(replaced, "DiskId");
        var newSystem = (await DisksAsync(client, instanceId)).Single(d => Text(d, "Type") == "system");
        Assert.Equal((newDisk, other, 40), (Text(newSystem, "DiskId"), Text(newSystem, "ImageId"), newSystem["Size"]!.GetValue<int>()));
        await QemuIoAsync(Text(newSystem, "NbdUrl"), "read -P 0 2M 64k", $"read -P 0x77 {MarkerOffset} 4k");
        Assert.False((await Imago.Core.Tests.Compute.QemuIo.RunAsync(systemUrl, "read 0 4k")).Succeeded); // the old system disk is gone
        Assert.Equal(other, Text(Assert.Single(await InstancesAsync(client, instanceId)), "ImageId"));

        await client.CallOkAsync("StartInstance", Params(("InstanceId", instanceId)));
        (await client.CallAsync("DeleteInstance", Params(("InstanceId", instanceId)))).AssertError("IncorrectInstanceStatus", 403);
        await client.CallOkAsync("DeleteInstance", Params(("InstanceId", instanceId), ("Force", "true")));
        Assert.Empty(await InstancesAsync(client, instanceId));
        Assert.Empty(await DisksAsync(client, instanceId));
        Assert.False((await Imago.Core.Tests.Compute.QemuIo.RunAsync(Text(data, "NbdUrl"), "read 0 4k")).Succeeded);
    }

    [Fact]
    public async Task BytesWrittenOverNbdReachAnImageAndTheInstancesLaunchedFromIt()
    {
        var client = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x5a);
        var first = await RunOneAsync(client, image, ("DataDisk.1.Size", "20"));
        var disks = await DisksAsync(client, first);
        await QemuIoAsync(Text(disks.Single(d => Text(d, "Type") == "system"), "NbdUrl"), "write -P 0xab 2M 64k");
        await QemuIoAsync(Text(disks.Single(d => Text(d, "Type") == "data"), "NbdUrl"), "write -P 0xcd 0 128k");
        await client.CallOkAsync("StopInstance", Params(("InstanceId", first)));

        var created = await client.CallOkAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", first), ("ImageName", "from-nbd")));
        var custom = Text(created, "ImageId");
        for (var i = 0; i < 300 && await ImageStatusAsync(client, custom) != "Available"; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal("Available", await ImageStatusAsync(client, custom));
        var second = await RunOneAsync(client, custom);
        var copies = await DisksAsync(client, second);
        var system = copies.Single(d => Text(d, "Type") == "system");
        var data = copies.Single(d => Text(d, "Type") == "data");
        Assert.Equal((custom, "/dev/xvdb", custom), (Text(system, "ImageId"), Text(data, "Device"), Text(data, "ImageId")));
        await QemuIoAsync(Text(system, "NbdUrl"), "read -P 0xab 2M 64k", $"read -P 0x5a {MarkerOffset} 4k");
        await QemuIoAsync(Text(data, "NbdUrl"), "read -P 0xcd 0 128k", "read -P 0 128k 64k");
    }

    [Theory]
    [InlineData(SignatureStyle.V1Get)]
    [InlineData(SignatureStyle.V1Post)]
    [InlineData(SignatureStyle.V1PostSplit)]
    public async Task CreateInstanceWorksWithEveryV1Style(SignatureStyle style)
    {
        var client = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x01);

        var created = await client.CallOkAsync("CreateInstance", Params(("RegionId", Region), ("ImageId", image), ("InstanceType", "ecs.c7.large")), style);
        var instanceId = Text(created, "InstanceId");

        Assert.Equal("Stopped", Text(Assert.Single(await InstancesAsync(client, instanceId)), "Status"));
        Assert.Equal(20, Assert.Single(await DisksAsync(client, instanceId))["Size"]!.GetValue<int>());
    }

    [Fact]
    public async Task ClientTokenRetriesGetTheSameInstances()
    {
        var client = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x02);
        var request = Params(("RegionId", Region), ("ImageId", image), ("InstanceType", "ecs.g7.large"), ("Amount", "2"), ("ClientToken", "abc-123"));

        // Concurrent first attempts (a client retrying on a timeout) and a later retry: one set of instances.
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.CallOkAsync("RunInstances", request)));
        var again = await client.CallOkAsync("RunInstances", request);

        var ids = concurrent.Append(again).Select(r => r["InstanceIdSets"]!.ToJsonString()).Distinct();
        Assert.Single(ids);
        var all = await client.CallOkAsync("DescribeInstances", Params(("RegionId", Region)));
        Assert.Equal(2, all["TotalCount"]!.GetValue<int>());
        request["Amount"] = "3";
        (await client.CallAsync("RunInstances", request)).AssertError("IdempotentParameterMismatch", 400);
    }

    [Fact]
    public async Task ALargeSystemDiskIsMetadataOnly()
    {
        var client = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x03);

        var instanceId = await RunOneAsync(client, image, ("SystemDisk.Size", "500"));

        var disk = Assert.Single(await DisksAsync(client, instanceId));
        Assert.Equal(500, disk["Size"]!.GetValue<int>());
        var last = (500L << 30) - 65536;
        await QemuIoAsync(Text(disk, "NbdUrl"), $"write -P 0xee {last} 64k", $"read -P 0xee {last} 64k", $"read -P 0x03 {MarkerOffset} 4k");
    }

    [Fact]
    public async Task AnotherAccountSeesAndTouchesNothing()
    {
        var alice = await ClientAsync(server);
        var bob = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x04);
        var instanceId = await RunOneAsync(alice, image);
        var diskId = Text(Assert.Single(await DisksAsync(alice, instanceId)), "DiskId");

        Assert.Empty(await InstancesAsync(bob, instanceId));
        var bobsDisks = await bob.CallOkAsync("DescribeDisks", Params(("RegionId", Region), ("DiskIds", $"[\"{diskId}\"]")));
        Assert.Empty(bobsDisks["Disks"]!["Disk"]!.AsArray());
        foreach (var action in new[] { "StopInstance", "StartInstance", "DeleteInstance" })
        {
            (await bob.CallAsync(action, Params(("InstanceId", instanceId), ("Force", "true")))).AssertError("InvalidInstanceId.NotFound", 404);
        }

        (await bob.CallAsync("ReplaceSystemDisk", Params(("InstanceId", instanceId), ("ImageId", image)))).AssertError("InvalidInstanceId.NotFound", 404);
        (await bob.CallAsync("DeleteDisk", Params(("DiskId", diskId)))).AssertError("InvalidDiskId.NotFound", 404);
        Assert.Equal("Running", Text(Assert.Single(await InstancesAsync(alice, instanceId)), "Status"));
    }

    [Fact]
    public async Task BadInputGetsTheDocumentedErrors()
    {
        var client = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x05, sizeGiB: 40);
        Dictionary<string, string> Run(params (string, string)[] extra) =>
            new[] { ("RegionId", Region), ("ImageId", image), ("InstanceType", "ecs.g7.large") }.Concat(extra)
                .GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.Last().Item2);

        (await client.CallAsync("RunInstances", Run(("InstanceType", "")))).AssertError("MissingParameter", 400);
        (await client.CallAsync("RunInstances", Run(("Amount", "0")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("RunInstances", Run(("Amount", "x")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("RunInstances", Run(("SystemDisk.Size", "30")))).AssertError("InvalidSystemDiskSize.LessThanImageSize", 404);
        (await client.CallAsync("RunInstances", Run(("SystemDisk.Size", "99999999999")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("RunInstances", Run(("DataDisk.17.Size", "20")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("RunInstances", Run(("DataDisk.1.Size", "-1")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("RunInstances", Run(("DataDisk.1.DeleteWithInstance", "maybe"), ("DataDisk.1.Size", "20")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("RunInstances", Run(("ImageId", "m-nothere")))).AssertError("InvalidImageId.NotFound", 404);
        (await client.CallAsync("RunInstances", Run(("RegionId", "cn-beijing")))).AssertError("InvalidRegionId.NotFound", 404);
        (await client.CallAsync("RunInstances", Run(("DryRun", "true")))).AssertError("DryRunOperation", 400);
        (await client.CallAsync("DescribeInstances", Params(("RegionId", Region), ("InstanceIds", "i-1")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("DescribeInstances", Params(("RegionId", Region), ("Status", "Sleeping")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("DescribeInstances", Params(("RegionId", Region), ("MaxResults", "101")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("DescribeDisks", Params(("RegionId", Region), ("DiskType", "root")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("DescribeDisks", Params(("RegionId", Region), ("NextToken", "zz")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("ReplaceSystemDisk", Params(("InstanceId", "i-x")))).AssertError("MissingParameter", 400);
        (await client.CallAsync("StopInstance", Params())).AssertError("MissingParameter", 400);

        var instances = await client.CallOkAsync("DescribeInstances", Params(("RegionId", Region)));
        Assert.Equal(0, instances["TotalCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task XmlResponsesUseTheWrapperElements()
    {
        var client = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x06);

        var run = await client.CallAsync("RunInstances", Params(("RegionId", Region), ("ImageId", image), ("InstanceType", "ecs.g7.large")),
            SignatureStyle.V1Get, format: "XML");
        var instanceId = Assert.Single(run.Xml!.Root!.Element("InstanceIdSets")!.Elements("InstanceIdSet")).Value;
        var disks = await client.CallAsync("DescribeDisks", Params(("RegionId", Region), ("InstanceId", instanceId)), SignatureStyle.V1Get, format: "XML");
        Assert.Equal(instanceId, Assert.Single(disks.Xml!.Root!.Element("Disks")!.Elements("Disk")).Element("InstanceId")!.Value);
    }

    /// <summary>RunInstances of one ecs.g7.large from <paramref name="imageId"/> (plus <paramref name="extra"/>); its id.</summary>
    private static async Task<string> RunOneAsync(EcsClient client, string imageId, params (string Key, string Value)[] extra)
    {
        var run = await client.CallOkAsync("RunInstances",
            Params([("RegionId", Region), ("ImageId", imageId), ("InstanceType", "ecs.g7.large"), .. extra]));
        return Assert.Single(run["InstanceIdSets"]!["InstanceIdSet"]!.AsArray())!.GetValue<string>();
    }

    private static async Task<string?> ImageStatusAsync(EcsClient client, string imageId)
    {
        var images = await client.CallOkAsync("DescribeImages", Params(("RegionId", Region), ("ImageId", imageId),
            ("Status", "Creating,Available,CreateFailed")));
        return images["Images"]!["Image"]!.AsArray().SingleOrDefault()?["Status"]?.GetValue<string>();
    }

    private static string Text(JsonNode node, string field) => node[field]!.GetValue<string>();

    private static async Task<JsonNode[]> InstancesAsync(EcsClient client, string instanceId) =>
        [.. (await client.CallOkAsync("DescribeInstances", Params(("RegionId", Region), ("InstanceIds", $"[\"{instanceId}\"]"))))["Instances"]!["Instance"]!
            .AsArray().Select(n => n!)];

    private static async Task<JsonNode[]> DisksAsync(EcsClient client, string instanceId) =>
        [.. (await client.CallOkAsync("DescribeDisks", Params(("RegionId", Region), ("InstanceId", instanceId), ("PageSize", "50"))))["Disks"]!["Disk"]!
            .AsArray().Select(n => n!)];

    private static async Task QemuIoAsync(string url, params string[] commands)
    {
        var result = await Imago.Core.Tests.Compute.QemuIo.RunAsync(url, commands);
        Assert.True(result.Succeeded, result.Output);
    }
}
