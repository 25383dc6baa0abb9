using System.Text.Json.Nodes;
using Imago.Api.Tests.Infrastructure;
using Imago.Core.Ids;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Robustness;

/// <summary>
/// Issue rule 7's isolation, for every action that takes an id: account B aiming at account A's resources gets
/// exactly the answer it gets for an id nobody has (same status, code and message, or the same empty list), and
/// A's resources look the same to A before and after.
/// </summary>
public sealed class IsolationTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    /// <summary>Where the calls below put the id under test (A's, then a well-formed one nobody owns).</summary>
    private const string Id = "{id}";

    [Fact]
    public async Task AnotherAccountsIdsAnswerExactlyLikeIdsThatDoNotExistAndChangeNothing()
    {
        var (alice, aliceAccount) = await server.CreateClientAsync();
        var estate = await Estate.CreateAsync(server, alice);
        await alice.CallOkAsync("ModifyImageAttribute", Params(("RegionId", Region), ("ImageId", estate.CustomImageId), ("ImageFamily", "estate-family")));
        var aliceBefore = await ViewAsync(alice, estate);

        var (bob, _) = await server.CreateClientAsync();
        var bobInstance = await RunInstanceAsync(bob, estate.PublicImageId);
        await bob.CallOkAsync("StopInstance", Params(("InstanceId", bobInstance)));
        var bobBefore = await ViewOfOwnAsync(bob);

        var mismatches = new List<string>();
        async Task Same(string action, string targetId, params (string Key, string Value)[] parameters)
        {
            var foreign = await AnswerAsync(bob, action, targetId, parameters, targetId);
            var missing = ResourceIds.New(targetId[..1], Region);
            var absent = await AnswerAsync(bob, action, missing, parameters, targetId);
            if (foreign != absent)
            {
                mismatches.Add($"{action} {string.Join(' ', parameters.Select(p => p.Key))}:\n  A's id:  {foreign}\n  no id:   {absent}");
            }
        }

        var (instance, data, snapshot, image, task) = (estate.InstanceId, estate.DataDiskId, estate.SnapshotId, estate.CustomImageId, estate.CreateImageTaskId);
        var region = ("RegionId", Region);

        // Reading.
        await Same("DescribeInstances", instance, region, ("InstanceIds", $"[\"{Id}\"]"));
        await Same("DescribeDisks", data, region, ("DiskIds", $"[\"{Id}\"]"));
        await Same("DescribeDisks", instance, region, ("InstanceId", Id));
        await Same("DescribeDisks", snapshot, region, ("SnapshotId", Id));
        await Same("DescribeSnapshots", snapshot, region, ("SnapshotIds", $"[\"{Id}\"]"));
        await Same("DescribeSnapshots", data, region, ("DiskId", Id));
        await Same("DescribeSnapshots", instance, region, ("InstanceId", Id));
        await Same("DescribeImages", image, region, ("ImageId", Id));
        await Same("DescribeImages", image, region, ("ImageId", Id), ("Status", "Available,Deprecated,Creating,CreateFailed"));
        await Same("DescribeImages", snapshot, region, ("SnapshotId", Id));
        await Same("DescribeImageSupportInstanceTypes", image, region, ("ImageId", Id));
        await Same("DescribeTaskAttribute", task, region, ("TaskId", Id));
        await Same("DescribeTasks", task, region, ("TaskIds", Id));
        await Same("DescribeTasks", image, region, ("ResourceIds.1", Id));

        // Using.
        await Same("RunInstances", image, region, ("ImageId", Id), ("InstanceType", "ecs.g7.large"));
        await Same("CreateInstance", image, region, ("ImageId", Id), ("InstanceType", "ecs.g7.large"));
        await Same("RunInstances", snapshot, region, ("ImageId", estate.PublicImageId), ("InstanceType", "ecs.g7.large"), ("DataDisk.1.SnapshotId", Id));
        await Same("ReplaceSystemDisk", image, ("InstanceId", bobInstance), ("ImageId", Id));
        await Same("CreateImage", instance, region, ("InstanceId", Id));
        await Same("CreateImage", snapshot, region, ("SnapshotId", Id));
        await Same("CreateImage", snapshot, region, ("DiskDeviceMapping.1.SnapshotId", Id), ("DiskDeviceMapping.1.Device", "/dev/xvda"));
        await Same("CreateSnapshot", data, ("DiskId", Id));

        // Changing.
        await Same("ModifyImageAttribute", image, region, ("ImageId", Id), ("ImageName", "stolen"));
        await Same("ModifyImageAttribute", image, region, ("ImageId", Id), ("Status", "Deprecated"));
        await Same("DeleteImage", image, region, ("ImageId", Id), ("Force", "true"));
        await Same("DescribeImageSharePermission", image, region, ("ImageId", Id));
        await Same("ModifyImageSharePermission", image, region, ("ImageId", Id), ("AddAccount.1", aliceAccount.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await Same("ModifyImageShareGroupPermission", image, region, ("ImageId", Id), ("AddGroup.1", "all"));
        await Same("StopInstance", instance, ("InstanceId", Id), ("ForceStop", "true"));
        await Same("StartInstance", instance, ("InstanceId", Id));
        await Same("ReplaceSystemDisk", instance, ("InstanceId", Id), ("ImageId", estate.PublicImageId));
        await Same("DeleteInstance", instance, ("InstanceId", Id), ("Force", "true"));
        await Same("DeleteDisk", data, ("DiskId", Id));
        await Same("DeleteSnapshot", snapshot, ("SnapshotId", Id), ("Force", "true"));
        await Same("CancelTask", task, region, ("TaskId", Id));

        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));

        // Families and owners are names, not ids: B must not find A's family, nor A's images through A's account id.
        var family = await bob.CallOkAsync("DescribeImageFromFamily", Params(region, ("ImageFamily", "estate-family")));
        Assert.Equal("{}", family["Image"]!.ToJsonString());
        var byOwner = await bob.CallOkAsync("DescribeImages", Params(region, ("ImageOwnerId", aliceAccount.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("PageSize", "100")));
        Assert.DoesNotContain(byOwner["Images"]!["Image"]!.AsArray(), i => Text(i!, "ImageId") == image);

        Assert.Equal(aliceBefore, await ViewAsync(alice, estate));
        Assert.Equal(bobBefore, await ViewOfOwnAsync(bob));
    }

    /// <summary>What a call answered, with <paramref name="id"/> written as {id} (messages may echo it), RequestId dropped.</summary>
    private static async Task<string> AnswerAsync(EcsClient client, string action, string id, (string Key, string Value)[] parameters, string aliceId)
    {
        var sent = parameters.ToDictionary(p => p.Key, p => p.Value.Replace(Id, id, StringComparison.Ordinal));
        var response = await client.CallAsync(action, sent);
        var body = response.Json ?? throw new InvalidOperationException($"{action}: no JSON body: {response.Body}");
        body.Remove("RequestId");
        body.Remove("Recommend"); // carries the RequestId
        return $"{(int)response.Status} {body.ToJsonString().Replace(id, Id, StringComparison.Ordinal).Replace(aliceId, "{alice's id}", StringComparison.Ordinal)}";
    }

    /// <summary>Everything of the estate as its owner sees it.</summary>
    private static async Task<string> ViewAsync(EcsClient owner, Estate estate)
    {
        var parts = new List<JsonNode?>
        {
            (await owner.CallOkAsync("DescribeInstances", Params(("RegionId", Region), ("InstanceIds", $"[\"{estate.InstanceId}\"]"))))["Instances"],
            (await owner.CallOkAsync("DescribeDisks", Params(("RegionId", Region), ("PageSize", "100"))))["Disks"],
            (await owner.CallOkAsync("DescribeSnapshots", Params(("RegionId", Region), ("PageSize", "100"))))["Snapshots"],
            (await owner.CallOkAsync("DescribeImages", Params(("RegionId", Region), ("ImageOwnerAlias", "self"), ("Status", "Available,Deprecated,Creating,CreateFailed"))))["Images"],
            (await owner.CallOkAsync("DescribeTasks", Params(("RegionId", Region), ("PageSize", "100"))))["TaskSet"],
            (await owner.CallOkAsync("DescribeTaskAttribute", Params(("RegionId", Region), ("TaskId", estate.CreateImageTaskId))))["TaskStatus"],
        };
        return string.Join('\n', parts.Select(p => p?.ToJsonString()));
    }

    /// <summary>What B owns: nothing of A's may have appeared here (no disk, snapshot, image or instance made from A's ids).</summary>
    private static async Task<string> ViewOfOwnAsync(EcsClient client)
    {
        var parts = new List<JsonNode?>
        {
            (await client.CallOkAsync("DescribeInstances", Params(("RegionId", Region), ("PageSize", "100"))))["Instances"],
            (await client.CallOkAsync("DescribeDisks", Params(("RegionId", Region), ("PageSize", "100"))))["Disks"],
            (await client.CallOkAsync("DescribeSnapshots", Params(("RegionId", Region), ("PageSize", "100"))))["Snapshots"],
            (await client.CallOkAsync("DescribeImages", Params(("RegionId", Region), ("ImageOwnerAlias", "self"), ("Status", "Available,Deprecated,Creating,CreateFailed"))))["Images"],
            (await client.CallOkAsync("DescribeTasks", Params(("RegionId", Region), ("PageSize", "100"))))["TaskSet"],
        };
        return string.Join('\n', parts.Select(p => p?.ToJsonString()));
    }
}
