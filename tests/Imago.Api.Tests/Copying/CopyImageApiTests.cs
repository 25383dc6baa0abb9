using System.Globalization;
using System.Text.Json.Nodes;
using Imago.Api.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Copying.CopyApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Copying;

/// <summary>CopyImage and CancelCopyImage over HTTP as an SDK user sees them: the copy in the destination region, every error code, isolation.</summary>
public sealed class CopyImageApiTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    [Fact]
    public async Task ACopyAppearsInTheDestinationRegionAndEndsAvailableWithItsOwnSnapshot()
    {
        var (client, account) = await AccountAsync(server);
        var source = await AddCustomImageAsync(server, account.AccountId, chunks: 8);
        var response = await client.CallOkAsync("CopyImage", Params(("RegionId", Region), ("ImageId", source), ("DestinationRegionId", Destination),
            ("DestinationImageName", "copied-web"), ("DestinationDescription", "a copy"), ("Tag.1.Key", "team"), ("Tag.1.Value", "blue")));
        var copyId = Text(response, "ImageId");
        Assert.NotNull(response["RequestId"]);
        Assert.NotEqual(source, copyId);

        var first = await CopyViewAsync(client, copyId);
        Assert.NotNull(first); // listed at once, in the destination region
        Assert.True(first["IsCopied"]!.GetValue<bool>());
        Assert.Null(await CopyViewAsync(client, copyId, Region));

        var copy = await WaitAvailableAsync(client, copyId);
        Assert.Equal(("copied-web", "a copy", "self", "100%"), (Text(copy!, "ImageName"), Text(copy!, "Description"), Text(copy!, "ImageOwnerAlias"), Text(copy!, "Progress")));
        Assert.Equal(("team", "blue"), (Text(copy!["Tags"]!["Tag"]![0]!, "TagKey"), Text(copy!["Tags"]!["Tag"]![0]!, "TagValue")));
        var mapping = copy!["DiskDeviceMappings"]!["DiskDeviceMapping"]![0]!;
        Assert.Equal(("100%", 0), (Text(mapping, "Progress"), mapping["RemainTime"]!.GetValue<int>()));
        var snapshotId = Text(mapping, "SnapshotId");
        var snapshots = await client.CallOkAsync("DescribeSnapshots", Params(("RegionId", Destination), ("SnapshotIds", $"[\"{snapshotId}\"]")));
        Assert.Single(snapshots["Snapshots"]!["Snapshot"]!.AsArray());

        // The task is marked Finished just after the image turns Available.
        JsonNode? task = null;
        for (var i = 0; i < 200 && task is null; i++)
        {
            var tasks = await client.CallOkAsync("DescribeTasks", Params(("RegionId", Destination), ("TaskAction", "CopyImage"), ("TaskStatus", "Finished")));
            task = tasks["TaskSet"]!["Task"]!.AsArray().SingleOrDefault();
            await Task.Delay(task is null ? 50 : 0);
        }

        Assert.Equal(copyId, Text(task ?? throw new TimeoutException("the CopyImage task is not Finished"), "ResourceId"));
        var attribute = await client.CallOkAsync("DescribeTaskAttribute", Params(("RegionId", Destination), ("TaskId", Text(task!, "TaskId"))));
        Assert.Equal(("CopyImage", "100%"), (Text(attribute, "TaskAction"), Text(attribute, "TaskProcess")));

        // The counters the benchmark reads.
        var metrics = await server.Http.GetStringAsync("/metrics");
        var sent = metrics.Split('\n').Single(l => l.StartsWith("imago_copy_bytes_sent_total ", StringComparison.Ordinal));
        Assert.True(long.Parse(sent.Split(' ')[1], CultureInfo.InvariantCulture) >= 8L * ChunkSize, sent);
        Assert.Contains("imago_copy_chunks_skipped_total ", metrics, StringComparison.Ordinal);
        // One log line per finished copy, with what it moved.
        Assert.Matches($"CopyImage {copyId} \\(cn-hangzhou/{source} to cn-shanghai\\) finished: \\d+ chunks \\(\\d+ bytes\\) sent, \\d+ chunks skipped",
            server.LogText);

        // Another account sees nothing of it and cannot cancel it.
        var (stranger, _) = await AccountAsync(server);
        Assert.Null(await CopyViewAsync(stranger, copyId));
        (await stranger.CallAsync("CancelCopyImage", Params(("RegionId", Destination), ("ImageId", copyId)))).AssertError("InvalidImageId.NotFound", 404);

        // The copy's CancelCopyImage once finished, and independence: deleting the source leaves the copy Available.
        var done = await client.CallAsync("CancelCopyImage", Params(("RegionId", Destination), ("ImageId", copyId)));
        done.AssertError("IncorrectImageStatus", 400);
        Assert.Equal("The image has completed copy.", done.Message);
        await client.CallOkAsync("DeleteImage", Params(("RegionId", Region), ("ImageId", source)));
        Assert.Equal("Available", Text((await CopyViewAsync(client, copyId))!, "Status"));
        var instance = await client.CallOkAsync("RunInstances", Params(("RegionId", Destination), ("ImageId", copyId), ("InstanceType", "ecs.g7.large")));
        Assert.Single(instance["InstanceIdSets"]!["InstanceIdSet"]!.AsArray());
    }

    [Fact]
    public async Task EveryRefusalHasItsDocumentedCode()
    {
        var (client, account) = await AccountAsync(server);
        var (other, otherAccount) = await AccountAsync(server);
        var source = await AddCustomImageAsync(server, account.AccountId, chunks: 1);
        var deprecated = await AddCustomImageAsync(server, account.AccountId, chunks: 1, status: "Deprecated");
        var othersImage = await AddCustomImageAsync(server, otherAccount.AccountId, chunks: 1);
        var publicImage = await AddImageAsync(server, 0x42);

        async Task Refused(string code, int status, params (string Key, string Value)[] parameters) =>
            (await client.CallAsync("CopyImage", Params(parameters))).AssertError(code, status);

        await Refused("MissingParameter", 400, ("RegionId", Region));
        await Refused("InvalidRegionId.NotFound", 404, ("RegionId", "xx-nowhere-1"), ("ImageId", source));
        await Refused("InvalidImageId.NotFound", 404, ("RegionId", Region), ("ImageId", "m-doesnotexist0000"));
        await Refused("InvalidImageId.NotFound", 404, ("RegionId", Region), ("ImageId", othersImage));
        await Refused("IncorrectImageStatus", 400, ("RegionId", Region), ("ImageId", deprecated));
        await Refused("OperationDenied", 403, ("RegionId", Region), ("ImageId", publicImage));
        await Refused("DestinationRegion.NotFound", 400, ("RegionId", Region), ("ImageId", source), ("DestinationRegionId", "xx-nowhere-1"));
        await Refused("InvalidImageName.Malformed", 400, ("RegionId", Region), ("ImageId", source), ("DestinationImageName", "http://x"));
        await Refused("InvalidDescription.Malformed", 400, ("RegionId", Region), ("ImageId", source), ("DestinationDescription", "https://x"));
        await Refused("InvalidParameter.EncryptedIllegal", 400, ("RegionId", Region), ("ImageId", source), ("Encrypted", "true"));
        await Refused("InvalidParameter.EncryptedIllegal", 400, ("RegionId", Region), ("ImageId", source), ("KMSKeyId", "key-0001"));
        await Refused("InvalidParameter", 400, ("RegionId", Region), ("ImageId", source), ("Encrypted", "maybe"));
        await Refused("InvalidImageName.Duplicated", 400, ("RegionId", Region), ("ImageId", source), ("DestinationImageName", "src-" + source[2..]));
        await Refused("DryRunOperation", 400, ("RegionId", Region), ("ImageId", source), ("DestinationRegionId", Destination), ("DryRun", "true"));

        // Shared with the other account: it may copy within the region only.
        await client.CallOkAsync("ModifyImageSharePermission", Params(("RegionId", Region), ("ImageId", source),
            ("AddAccount.1", otherAccount.AccountId.ToString(CultureInfo.InvariantCulture))));
        (await other.CallAsync("CopyImage", Params(("RegionId", Region), ("ImageId", source), ("DestinationRegionId", Destination))))
            .AssertError("OperationDenied.SameRegionOnly", 403);
        var sameRegion = Text(await other.CallOkAsync("CopyImage", Params(("RegionId", Region), ("ImageId", source))), "ImageId");
        Assert.Equal("Available", Text((await WaitForCopyAsync(other, sameRegion, v => v is not null && Text(v, "Status") != "Creating" && Text(v, "Status") != "Waiting",
            "done", Region))!, "Status"));
        Assert.Null(await CopyViewAsync(other, sameRegion)); // made in the source region, not the destination
        Assert.NotNull(await CopyViewAsync(other, sameRegion, Region));

        async Task CancelRefused(string code, int status, string region, string imageId) =>
            (await client.CallAsync("CancelCopyImage", Params(("RegionId", region), ("ImageId", imageId)))).AssertError(code, status);

        await CancelRefused("ImageCreatedNotFromCopy", 400, Region, source);
        await CancelRefused("InvalidImageId.NotFound", 404, Region, "m-doesnotexist0000");
        await CancelRefused("InvalidImageId.NotFound", 404, Region, sameRegion); // the other account's copy
        await CancelRefused("InvalidRegionId.NotFound", 404, "xx-nowhere-1", source);
        (await client.CallAsync("CancelCopyImage", Params(("RegionId", Region)))).AssertError("MissingParameter", 400);
    }
}
