using System.Text.Json.Nodes;
using Imago.Api.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Snapshots;

/// <summary>Snapshots and custom images over HTTP, with the bytes written and read back over NBD by qemu-io.</summary>
public sealed class SnapshotsApiTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    [Fact]
    public async Task BytesWrittenOverNbdSurviveSnapshotImageAndANewInstance()
    {
        var client = await ClientAsync(server);
        var baseImage = await AddImageAsync(server, 0x5a);
        var instanceId = await RunInstanceAsync(client, baseImage, ("DataDisk.1.Size", "30"));
        var disks = await DisksAsync(client, instanceId);
        var (system, data) = (disks[0], disks[1]);
        await QemuIoAsync(Text(system, "NbdUrl"), "write -P 0xab 2M 64k");
        await QemuIoAsync(Text(data, "NbdUrl"), "write -P 0xcd 0 128k");

        // CreateSnapshot of the system disk, seen progressing or accomplished, then accomplished at 100%.
        var snapshotId = Text(await client.CallOkAsync("CreateSnapshot", Params(("DiskId", Text(system, "DiskId")), ("SnapshotName", "walk-snap"),
            ("Description", "before the image"), ("RetentionDays", "30"), ("Tag.1.Key", "env"), ("Tag.1.Value", "test"))), "SnapshotId");
        var snapshot = await WaitForSnapshotAsync(client, snapshotId);
        Assert.Equal(("accomplished", "100%", "walk-snap", "system", "20", "none"), (Text(snapshot, "Status"), Text(snapshot, "Progress"),
            Text(snapshot, "SnapshotName"), Text(snapshot, "SourceDiskType"), Text(snapshot, "SourceDiskSize"), Text(snapshot, "Usage")));
        Assert.Equal(Text(system, "DiskId"), Text(snapshot, "SourceDiskId"));
        Assert.Equal(30, snapshot["RetentionDays"]!.GetValue<int>());
        Assert.True(snapshot["FullSnapshotSizeInBytes"]!.GetValue<long>() > 0);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", Text(snapshot, "CreationTime"));
        Assert.Equal("test", Text(snapshot["Tags"]!["Tag"]![0]!, "TagValue"));

        // CreateImage from the snapshot.
        var fromSnapshot = Text(await client.CallOkAsync("CreateImage", Params(("RegionId", Region), ("SnapshotId", snapshotId),
            ("ImageName", "from-snapshot"))), "ImageId");
        var progress = new List<string>();
        var image = await WaitForImageAsync(client, fromSnapshot, progress);
        Assert.Equal(("Available", "100%", "self", 20), (Text(image, "Status"), Text(image, "Progress"), Text(image, "ImageOwnerAlias"), image["Size"]!.GetValue<int>()));
        Assert.All(progress, p => Assert.Matches(@"^\d{1,3}%$", p));
        Assert.Equal(snapshotId, Text(image["DiskDeviceMappings"]!["DiskDeviceMapping"]![0]!, "SnapshotId"));

        // The snapshot is now used by an image: it cannot be deleted.
        Assert.Equal("image", Text((await SnapshotAsync(client, snapshotId))!, "Usage"));
        (await client.CallAsync("DeleteSnapshot", Params(("SnapshotId", snapshotId)))).AssertError("SnapshotCreatedImage", 403);
        (await client.CallAsync("DeleteSnapshot", Params(("SnapshotId", snapshotId), ("Force", "true")))).AssertError("SnapshotCreatedImage", 403);

        // CreateImage from the (running) instance: system and data disk.
        await QemuIoAsync(Text(system, "NbdUrl"), "write -P 0xef 3M 64k");
        var fromInstance = Text(await client.CallOkAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId),
            ("ImageName", "from-instance"), ("Description", "system and data"))), "ImageId");
        var instanceImage = await WaitForImageAsync(client, fromInstance);
        Assert.Equal("Available", Text(instanceImage, "Status"));
        var mappings = instanceImage["DiskDeviceMappings"]!["DiskDeviceMapping"]!.AsArray().Select(m => m!).ToArray();
        Assert.Equal([("system", "/dev/xvda", "20"), ("data", "/dev/xvdb", "30")],
            mappings.Select(m => (Text(m, "Type"), Text(m, "Device"), Text(m, "Size"))).ToArray());
        var imageSnapshots = await client.CallOkAsync("DescribeSnapshots", Params(("RegionId", Region), ("InstanceId", instanceId), ("Usage", "image")));
        Assert.Equal(3, imageSnapshots["TotalCount"]!.GetValue<int>());

        // A second instance from the custom image reads back what was written to the first one.
        var second = await RunInstanceAsync(client, fromInstance);
        var secondDisks = await DisksAsync(client, second);
        Assert.Equal(2, secondDisks.Length);
        await QemuIoAsync(Text(secondDisks[0], "NbdUrl"), "read -P 0xab 2M 64k", "read -P 0xef 3M 64k", $"read -P 0x5a {MarkerOffset} 4k");
        await QemuIoAsync(Text(secondDisks[1], "NbdUrl"), "read -P 0xcd 0 128k", "read -P 0 128k 64k");

        // And one from the snapshot image has the system disk as it was at snapshot time.
        var third = await RunInstanceAsync(client, fromSnapshot);
        await QemuIoAsync(Text((await DisksAsync(client, third))[0], "NbdUrl"), "read -P 0xab 2M 64k", "read -P 0 3M 64k");
    }

    [Fact]
    public async Task ImagesFromMappingsIncludeEmptyDataDisks()
    {
        var client = await ClientAsync(server);
        var instanceId = await RunInstanceAsync(client, await AddImageAsync(server, 0x11));
        var systemDisk = Text((await DisksAsync(client, instanceId))[0], "DiskId");
        var snapshotId = Text(await client.CallOkAsync("CreateSnapshot", Params(("DiskId", systemDisk))), "SnapshotId");
        await WaitForSnapshotAsync(client, snapshotId);

        var imageId = Text(await client.CallOkAsync("CreateImage", Params(("RegionId", Region), ("ImageName", "mapped"),
            ("DiskDeviceMapping.1.SnapshotId", snapshotId), ("DiskDeviceMapping.1.DiskType", "system"), ("DiskDeviceMapping.1.Size", "40"),
            ("DiskDeviceMapping.2.DiskType", "data"), ("DiskDeviceMapping.2.Size", "25"), ("Tag.1.Key", "team"), ("Tag.1.Value", "blue"))), "ImageId");
        var image = await WaitForImageAsync(client, imageId);
        Assert.Equal(40, image["Size"]!.GetValue<int>());
        var tag = image["Tags"]!["Tag"]![0]!;
        Assert.Equal(("team", "blue"), (Text(tag, "TagKey"), Text(tag, "TagValue")));
        var mappings = image["DiskDeviceMappings"]!["DiskDeviceMapping"]!.AsArray();
        Assert.Equal(("data", "/dev/xvdb", "25", ""), (Text(mappings[1]!, "Type"), Text(mappings[1]!, "Device"), Text(mappings[1]!, "Size"),
            mappings[1]!["SnapshotId"]?.GetValue<string>() ?? ""));
    }

    [Fact]
    public async Task ALargeInstanceBecomesAnImageWithoutCopyingItsBytes()
    {
        var client = await ClientAsync(server);
        var instanceId = await RunInstanceAsync(client, await AddImageAsync(server, 0x12), ("SystemDisk.Size", "500"));
        var url = Text((await DisksAsync(client, instanceId))[0], "NbdUrl");
        var last = (500L << 30) - 65536;
        await QemuIoAsync(url, $"write -P 0x77 {last} 64k");

        var imageId = Text(await client.CallOkAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId))), "ImageId");
        var image = await WaitForImageAsync(client, imageId);
        Assert.Equal(("Available", 500), (Text(image, "Status"), image["Size"]!.GetValue<int>()));
        var copy = await RunInstanceAsync(client, imageId, ("SystemDisk.Size", "500"));
        await QemuIoAsync(Text((await DisksAsync(client, copy))[0], "NbdUrl"), $"read -P 0x77 {last} 64k");
    }

    [Fact]
    public async Task DescribeSnapshotsFiltersAndPages()
    {
        var client = await ClientAsync(server);
        var instanceId = await RunInstanceAsync(client, await AddImageAsync(server, 0x13), ("DataDisk.1.Size", "20"));
        var disks = await DisksAsync(client, instanceId);
        var ids = new List<string>();
        foreach (var disk in new[] { disks[0], disks[1], disks[1] })
        {
            ids.Add(Text(await client.CallOkAsync("CreateSnapshot", Params(("DiskId", Text(disk, "DiskId")))), "SnapshotId"));
        }

        foreach (var id in ids)
        {
            await WaitForSnapshotAsync(client, id);
        }

        async Task<JsonObject> Describe(params (string, string)[] extra) =>
            await client.CallOkAsync("DescribeSnapshots", Params([("RegionId", Region), .. extra]));

        Assert.Equal(3, (await Describe())["TotalCount"]!.GetValue<int>());
        Assert.Equal(2, (await Describe(("DiskId", Text(disks[1], "DiskId"))))["TotalCount"]!.GetValue<int>());
        Assert.Equal(1, (await Describe(("SourceDiskType", "System")))["TotalCount"]!.GetValue<int>());
        Assert.Equal(3, (await Describe(("Status", "accomplished"), ("SnapshotType", "all"), ("Usage", "none")))["TotalCount"]!.GetValue<int>());
        Assert.Equal(0, (await Describe(("Status", "failed")))["TotalCount"]!.GetValue<int>());
        Assert.Equal(3, (await Describe(("Filter.1.Key", "CreationStartTime"), ("Filter.1.Value", "2000-01-01T00:00Z")))["TotalCount"]!.GetValue<int>());
        var later = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, (await Describe(("Filter.1.Key", "CreationStartTime"), ("Filter.1.Value", later)))["TotalCount"]!.GetValue<int>());
        Assert.Equal(3, (await Describe(("Filter.1.Key", "CreationEndTime"), ("Filter.1.Value", later)))["TotalCount"]!.GetValue<int>());
        (await client.CallAsync("DescribeSnapshots", Params(("RegionId", Region), ("Filter.1.Key", "Colour"), ("Filter.1.Value", "x"))))
            .AssertError("InvalidFilterKey.NotFound", 404);
        (await client.CallAsync("DescribeSnapshots", Params(("RegionId", Region), ("Filter.1.Key", "CreationEndTime"), ("Filter.1.Value", "yesterday"))))
            .AssertError("InvalidParameter", 400);

        var page = await Describe(("PageSize", "2"), ("PageNumber", "2"));
        Assert.Equal((3, 2, 2, 1), (page["TotalCount"]!.GetValue<int>(), page["PageNumber"]!.GetValue<int>(), page["PageSize"]!.GetValue<int>(),
            page["Snapshots"]!["Snapshot"]!.AsArray().Count));

        var seen = new List<string>();
        var token = "";
        for (var i = 0; i < 5; i++)
        {
            var batch = await Describe([("MaxResults", "2"), .. token.Length > 0 ? new[] { ("NextToken", token) } : []]);
            seen.AddRange(batch["Snapshots"]!["Snapshot"]!.AsArray().Select(s => Text(s!, "SnapshotId")));
            token = Text(batch, "NextToken");
            if (token.Length == 0)
            {
                break;
            }
        }

        Assert.Equal(ids.Order(), seen.Order());
    }

    [Fact]
    public async Task AnotherAccountCannotSeeOrUseSnapshots()
    {
        var alice = await ClientAsync(server);
        var bob = await ClientAsync(server);
        var instanceId = await RunInstanceAsync(alice, await AddImageAsync(server, 0x14));
        var diskId = Text((await DisksAsync(alice, instanceId))[0], "DiskId");
        var snapshotId = Text(await alice.CallOkAsync("CreateSnapshot", Params(("DiskId", diskId))), "SnapshotId");
        await WaitForSnapshotAsync(alice, snapshotId);

        Assert.Null(await SnapshotAsync(bob, snapshotId));
        (await bob.CallAsync("CreateSnapshot", Params(("DiskId", diskId)))).AssertError("InvalidDiskId.NotFound", 404);
        (await bob.CallAsync("DeleteSnapshot", Params(("SnapshotId", snapshotId)))).AssertError("InvalidSnapshotId.NotFound", 404);
        (await bob.CallAsync("CreateImage", Params(("RegionId", Region), ("SnapshotId", snapshotId)))).AssertError("InvalidSnapshotId.NotFound", 404);
        (await bob.CallAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId)))).AssertError("InvalidInstanceId.NotFound", 404);
        var tasks = await bob.CallOkAsync("DescribeTasks", Params(("RegionId", Region)));
        Assert.Equal(0, tasks["TotalCount"]!.GetValue<int>());

        await alice.CallOkAsync("DeleteSnapshot", Params(("SnapshotId", snapshotId)));
        Assert.Null(await SnapshotAsync(alice, snapshotId));
    }

    [Fact]
    public async Task BadInputGetsTheDocumentedErrors()
    {
        var client = await ClientAsync(server);
        var instanceId = await RunInstanceAsync(client, await AddImageAsync(server, 0x15));
        var diskId = Text((await DisksAsync(client, instanceId))[0], "DiskId");

        (await client.CallAsync("CreateSnapshot", Params())).AssertError("MissingParameter", 400);
        (await client.CallAsync("CreateSnapshot", Params(("DiskId", "d-nothere")))).AssertError("InvalidDiskId.NotFound", 404);
        (await client.CallAsync("CreateSnapshot", Params(("DiskId", diskId), ("SnapshotName", "auto-x")))).AssertError("InvalidSnapshotName.Malformed", 400);
        (await client.CallAsync("CreateSnapshot", Params(("DiskId", diskId), ("RetentionDays", "0")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("CreateSnapshot", Params(("DiskId", diskId), ("RetentionDays", "65537")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("CreateSnapshot", Params(("DiskId", diskId), ("DryRun", "true")))).AssertError("DryRunOperation", 400);
        (await client.CallAsync("DescribeSnapshots", Params())).AssertError("MissingParameter", 400);
        (await client.CallAsync("DescribeSnapshots", Params(("RegionId", Region), ("Status", "done")))).AssertError("InvalidStatus.NotFound", 404);
        (await client.CallAsync("DescribeSnapshots", Params(("RegionId", Region), ("Usage", "sometimes")))).AssertError("InvalidUsage", 404);
        (await client.CallAsync("DescribeSnapshots", Params(("RegionId", Region), ("SnapshotIds", "s-1")))).AssertError("InvalidSnapshotIds.Malformed", 403);
        (await client.CallAsync("DescribeSnapshots", Params(("RegionId", Region), ("PageSize", "101")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("DescribeSnapshots", Params(("RegionId", Region), ("NextToken", "%%%")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("DeleteSnapshot", Params(("SnapshotId", "s-nothere")))).AssertError("InvalidSnapshotId.NotFound", 404);
        (await client.CallAsync("CreateImage", Params(("RegionId", Region)))).AssertError("MissingParameter", 400);
        (await client.CallAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId), ("ImageName", "http://x")))).AssertError("InvalidImageName.Malformed", 400);
        (await client.CallAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId), ("Platform", "BeOS")))).AssertError("InvalidPlatform.Malformed", 400);
        (await client.CallAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId), ("DiskDeviceMapping.18.Size", "20")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("CreateImage", Params(("RegionId", Region), ("DiskDeviceMapping.1.Size", "20")))).AssertError("OperationDenied", 400);
        (await client.CallAsync("CreateImage", Params(("RegionId", Region), ("SnapshotId", "s-nothere")))).AssertError("InvalidSnapshotId.NotFound", 404);
        (await client.CallAsync("CreateImage", Params(("RegionId", "cn-beijing"), ("InstanceId", instanceId)))).AssertError("InvalidRegionId.NotFound", 404);
        (await client.CallAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId), ("DryRun", "true")))).AssertError("DryRunOperation", 400);

        var first = Text(await client.CallOkAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId), ("ImageName", "twice"))), "ImageId");
        (await client.CallAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId), ("ImageName", "twice")))).AssertError("InvalidImageName.Duplicated", 400);
        await WaitForImageAsync(client, first);

        (await client.CallAsync("DescribeTaskAttribute", Params(("RegionId", Region), ("TaskId", "t-nothere")))).AssertError("InvalidTaskId.NotFound", 400);
        (await client.CallAsync("DescribeTaskAttribute", Params(("RegionId", Region)))).AssertError("MissingParameter", 400);
        (await client.CallAsync("DescribeTasks", Params(("RegionId", Region), ("StartTime", "2024-13-01T00:00Z")))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("DescribeTasks", Params(("RegionId", Region), ("TaskIds", string.Join(',', Enumerable.Range(0, 101)))))).AssertError("InvalidParameter", 400);
        (await client.CallAsync("CancelTask", Params(("RegionId", Region), ("TaskId", "t-nothere")))).AssertError("InvalidTaskId.NotFound", 400);
    }

    [Fact]
    public async Task TasksDescribeTheImageWork()
    {
        var client = await ClientAsync(server);
        var instanceId = await RunInstanceAsync(client, await AddImageAsync(server, 0x16));
        var imageId = Text(await client.CallOkAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instanceId))), "ImageId");
        await WaitForImageAsync(client, imageId);

        var tasks = await client.CallOkAsync("DescribeTasks", Params(("RegionId", Region), ("TaskAction", "CreateImage"), ("ResourceIds.1", imageId)));
        Assert.IsType<JsonObject>(tasks["TaskSet"]);
        var task = Assert.Single(tasks["TaskSet"]!["Task"]!.AsArray())!;
        var taskId = Text(task, "TaskId");
        Assert.StartsWith("t-", taskId);
        Assert.Equal(("CreateImage", "false", imageId), (Text(task, "TaskAction"), Text(task, "SupportCancel"), Text(task, "ResourceId")));
        for (var i = 0; i < 100 && Text(task, "TaskStatus") == "Processing"; i++)
        {
            await Task.Delay(50);
            task = (await client.CallOkAsync("DescribeTasks", Params(("RegionId", Region), ("TaskIds", taskId))))["TaskSet"]!["Task"]![0]!;
        }

        Assert.Equal("Finished", Text(task, "TaskStatus"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\dZ$", Text(task, "CreationTime"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\dZ$", Text(task, "FinishedTime"));

        var attribute = await client.CallOkAsync("DescribeTaskAttribute", Params(("RegionId", Region), ("TaskId", taskId)));
        Assert.Equal(("Finished", "100%", "false", 1), (Text(attribute, "TaskStatus"), Text(attribute, "TaskProcess"), Text(attribute, "SupportCancel"),
            attribute["SuccessCount"]!.GetValue<int>()));
        var item = attribute["OperationProgressSet"]!["OperationProgress"]![0]!["RelatedItemSet"]!["RelatedItem"]![0]!;
        Assert.Equal(("ImageId", imageId), (Text(item, "Name"), Text(item, "Value")));

        (await client.CallAsync("CancelTask", Params(("RegionId", Region), ("TaskId", taskId)))).AssertError("IncorrectTaskStatus", 403);
        var finished = await client.CallOkAsync("DescribeTasks", Params(("RegionId", Region), ("TaskStatus", "Finished"), ("PageSize", "100")));
        Assert.Contains(finished["TaskSet"]!["Task"]!.AsArray(), t => Text(t!, "TaskId") == taskId);
    }

    [Fact]
    public async Task XmlListsUseTheWrapperElements()
    {
        var client = await ClientAsync(server);
        var instanceId = await RunInstanceAsync(client, await AddImageAsync(server, 0x17));
        var snapshotId = Text(await client.CallOkAsync("CreateSnapshot", Params(("DiskId", Text((await DisksAsync(client, instanceId))[0], "DiskId")))), "SnapshotId");
        var xml = await client.CallAsync("DescribeSnapshots", Params(("RegionId", Region)), SignatureStyle.V1Get, format: "XML");
        Assert.Equal(snapshotId, Assert.Single(xml.Xml!.Root!.Element("Snapshots")!.Elements("Snapshot")).Element("SnapshotId")!.Value);
        var tasks = await client.CallAsync("DescribeTasks", Params(("RegionId", Region)), SignatureStyle.V1Post, format: "XML");
        Assert.Equal(snapshotId, Assert.Single(tasks.Xml!.Root!.Element("TaskSet")!.Elements("Task")).Element("ResourceId")!.Value);
    }
}
