using System.Globalization;
using System.Text.Json.Nodes;
using Imago.Api.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Sharing;

/// <summary>
/// Image sharing over HTTP: the owner's list (ModifyImageSharePermission, DescribeImageSharePermission) and every
/// restriction on the recipient, as an SDK user sees them.
/// </summary>
public sealed class SharingApiTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    private const string OtherRegion = "cn-shanghai";

    private sealed record Party(EcsClient Client, string AccountId);

    private async Task<Party> PartyAsync()
    {
        var account = await server.CreateAccountAsync();
        return new Party(new EcsClient(server.CreateHttpClient(), account.AccessKeyId, account.AccessKeySecret),
            account.AccountId.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The owner's custom image: an instance of a test image (marker byte at 1 MiB), then CreateImage.</summary>
    private async Task<string> OwnImageAsync(Party owner, byte marker)
    {
        var instance = await RunInstanceAsync(owner.Client, await AddImageAsync(server, marker));
        var image = Text(await owner.Client.CallOkAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instance), ("ImageName", "shared-base"))), "ImageId");
        Assert.Equal("Available", Text(await WaitForImageAsync(owner.Client, image), "Status"));
        return image;
    }

    private static Task<JsonObject> ShareAsync(Party owner, string imageId, string list, params Party[] with) =>
        owner.Client.CallOkAsync("ModifyImageSharePermission", Params([("RegionId", Region), ("ImageId", imageId),
            .. with.Select((p, i) => ($"{list}.{i + 1}", p.AccountId))]));

    private static async Task<JsonNode?> ListedAsync(Party caller, string imageId, string region = Region, string? ownerAlias = null)
    {
        var body = await caller.Client.CallOkAsync("DescribeImages", Params([("RegionId", region), .. ownerAlias is null ? [] : new[] { ("ImageOwnerAlias", ownerAlias) }]));
        return body["Images"]!["Image"]!.AsArray().SingleOrDefault(i => Text(i!, "ImageId") == imageId);
    }

    [Fact]
    public async Task TheRecipientUsesTheImageUntilItIsUnshared()
    {
        var owner = await PartyAsync();
        var recipient = await PartyAsync();
        var image = await OwnImageAsync(owner, 0x61);
        Assert.Null(await ListedAsync(recipient, image));

        await ShareAsync(owner, image, "AddAccount", recipient);
        await ShareAsync(owner, image, "AddAccount", recipient); // twice: still one share

        var seen = await ListedAsync(recipient, image) ?? throw new Xunit.Sdk.XunitException("the shared image is not listed");
        Assert.Equal(("others", "", owner.AccountId), (Text(seen, "ImageOwnerAlias"), Text(seen, "IsSelfShared"), seen["ImageOwnerId"]!.ToString()));
        Assert.NotNull(await ListedAsync(recipient, image, ownerAlias: "others"));
        Assert.Null(await ListedAsync(recipient, image, ownerAlias: "self"));
        Assert.Null(await ListedAsync(recipient, image, OtherRegion));
        Assert.Equal("True", Text((await ListedAsync(owner, image))!, "IsSelfShared"));

        var permissions = await owner.Client.CallOkAsync("DescribeImageSharePermission", Params(("RegionId", Region), ("ImageId", image)));
        Assert.Equal((image, Region, 1, 1, 10), (Text(permissions, "ImageId"), Text(permissions, "RegionId"),
            permissions["TotalCount"]!.GetValue<int>(), permissions["PageNumber"]!.GetValue<int>(), permissions["PageSize"]!.GetValue<int>()));
        var account = Assert.Single(permissions["Accounts"]!["Account"]!.AsArray())!;
        Assert.Equal(recipient.AccountId, account["AliyunId"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", Text(account, "SharedTime"));
        Assert.Empty(permissions["ShareGroups"]!["ShareGroup"]!.AsArray());

        // The recipient launches from it (its disk is a clone holding the image's bytes) and replaces a system disk with it.
        var launched = await RunInstanceAsync(recipient.Client, image);
        var system = (await DisksAsync(recipient.Client, launched)).Single(d => Text(d, "Type") == "system");
        Assert.Equal(image, Text(system, "ImageId"));
        await QemuIoAsync(Text(system, "NbdUrl"), $"read -P 0x61 {MarkerOffset} 4k");
        var other = await RunInstanceAsync(recipient.Client, await AddImageAsync(server, 0x62));
        await recipient.Client.CallOkAsync("StopInstance", Params(("InstanceId", other)));
        await recipient.Client.CallOkAsync("ReplaceSystemDisk", Params(("RegionId", Region), ("InstanceId", other), ("ImageId", image)));

        // The owner cannot delete or deprecate it while it is shared.
        (await owner.Client.CallAsync("DeleteImage", Params(("RegionId", Region), ("ImageId", image), ("Force", "true")))).AssertError("ImageUseShared", 403);
        (await owner.Client.CallAsync("ModifyImageAttribute", Params(("RegionId", Region), ("ImageId", image), ("Status", "Deprecated"))))
            .AssertError("ImageUseShared", 403);

        await ShareAsync(owner, image, "RemoveAccount", recipient);
        Assert.Null(await ListedAsync(recipient, image));
        (await recipient.Client.CallAsync("RunInstances", Params(("RegionId", Region), ("ImageId", image), ("InstanceType", "ecs.g7.large"))))
            .AssertError("InvalidImageId.NotFound", 404);
        Assert.Equal("False", Text((await ListedAsync(owner, image))!, "IsSelfShared"));

        // What the recipient made from it stays: the instance runs, its disk holds the bytes; the owner may now delete it.
        await owner.Client.CallOkAsync("DeleteImage", Params(("RegionId", Region), ("ImageId", image), ("Force", "true")));
        var instances = await recipient.Client.CallOkAsync("DescribeInstances", Params(("RegionId", Region), ("InstanceIds", $"[\"{launched}\"]")));
        Assert.Equal("Running", Text(Assert.Single(instances["Instances"]!["Instance"]!.AsArray())!, "Status"));
        await QemuIoAsync(Text(system, "NbdUrl"), $"read -P 0x61 {MarkerOffset} 4k");
    }

    [Fact]
    public async Task TheRecipientCannotChangeDeleteOrReshareTheImage()
    {
        var owner = await PartyAsync();
        var recipient = await PartyAsync();
        var third = await PartyAsync();
        var image = await OwnImageAsync(owner, 0x63);
        await ShareAsync(owner, image, "AddAccount", recipient);

        var attempts = new (string Action, Dictionary<string, string> Parameters)[]
        {
            ("ModifyImageAttribute", Params(("RegionId", Region), ("ImageId", image), ("ImageName", "mine-now"))),
            ("DeleteImage", Params(("RegionId", Region), ("ImageId", image), ("Force", "true"))),
            ("ModifyImageSharePermission", Params(("RegionId", Region), ("ImageId", image), ("AddAccount.1", third.AccountId))),
            ("ModifyImageSharePermission", Params(("RegionId", Region), ("ImageId", image), ("RemoveAccount.1", recipient.AccountId))),
            ("DescribeImageSharePermission", Params(("RegionId", Region), ("ImageId", image))),
            ("ModifyImageShareGroupPermission", Params(("RegionId", Region), ("ImageId", image), ("RemoveGroup.1", "all"))),
        };
        foreach (var (action, parameters) in attempts)
        {
            var asRecipient = await recipient.Client.CallAsync(action, parameters);
            asRecipient.AssertError("InvalidImageId.NotFound", 404);
            // exactly what an id nobody has answers
            var unknown = await recipient.Client.CallAsync(action, new Dictionary<string, string>(parameters) { ["ImageId"] = "m-bp1nosuchimage0000" });
            Assert.Equal((unknown.Status, unknown.Code, unknown.Message), (asRecipient.Status, asRecipient.Code, asRecipient.Message));
        }

        Assert.Equal("shared-base", Text((await ListedAsync(recipient, image))!, "ImageName"));
        Assert.Null(await ListedAsync(third, image));
    }

    [Fact]
    public async Task RefusalsHaveTheDocumentedCodes()
    {
        var owner = await PartyAsync();
        var recipient = await PartyAsync();
        var image = await OwnImageAsync(owner, 0x64);
        Dictionary<string, string> With(params (string Key, string Value)[] extra) => Params([("RegionId", Region), ("ImageId", image), .. extra]);

        (await owner.Client.CallAsync("ModifyImageSharePermission", With(("AddAccount.1", "1234567890123456")))).AssertError("InvalidAccount.NotFound", 404);
        (await owner.Client.CallAsync("ModifyImageSharePermission", With(("AddAccount.1", owner.AccountId)))).AssertError("InvalidAccount.Forbbiden", 404);
        (await owner.Client.CallAsync("ModifyImageSharePermission", With(("AddAccount.11", recipient.AccountId)))).AssertError("InvalidParameter", 400);
        var padded = await owner.Client.CallAsync("ModifyImageSharePermission", With(("AddAccount." + new string('0', 5000) + "11", recipient.AccountId)));
        Assert.True(padded.AssertError("InvalidParameter", 400).Message!.Length < 400, "the message echoes a bounded parameter name");
        var paddedUnknown = await owner.Client.CallAsync("ModifyImageSharePermission", With(("AddAccount." + new string('0', 5000) + "1", "42")));
        Assert.True(paddedUnknown.AssertError("InvalidAccount.NotFound", 404).Message!.Length < 400);
        (await owner.Client.CallAsync("ModifyImageSharePermission", With(("IsPublic", "true")))).AssertError("OperationDenied", 403);
        (await owner.Client.CallAsync("ModifyImageSharePermission", With(("IsPublic", "maybe")))).AssertError("InvalidParameter", 400);
        (await owner.Client.CallAsync("ModifyImageSharePermission", With(("AddAccount.1", recipient.AccountId), ("DryRun", "true"))))
            .AssertError("DryRunOperation", 400);
        (await owner.Client.CallAsync("ModifyImageSharePermission", Params(("RegionId", Region), ("AddAccount.1", recipient.AccountId))))
            .AssertError("MissingParameter", 400);
        (await owner.Client.CallAsync("ModifyImageShareGroupPermission", With(("AddGroup.1", "all")))).AssertError("OperationDenied", 403);
        (await owner.Client.CallAsync("ModifyImageShareGroupPermission", With(("AddGroup.1", "friends")))).AssertError("InvalidGroup.Malformed", 400);
        (await owner.Client.CallAsync("DescribeImageSharePermission", With(("PageSize", "101")))).AssertError("InvalidParameter", 400);
        (await owner.Client.CallAsync("DescribeImageSharePermission", Params(("RegionId", Region)))).AssertError("MissingParameter", 400);
        Assert.Null(await ListedAsync(recipient, image)); // none of these shared it

        // a deprecated image cannot be shared
        await owner.Client.CallOkAsync("ModifyImageAttribute", With(("Status", "Deprecated")));
        (await owner.Client.CallAsync("ModifyImageSharePermission", With(("AddAccount.1", recipient.AccountId)))).AssertError("IncorrectImageStatus", 403);
    }

    [Fact]
    public async Task DescribeImageSharePermissionAlsoAnswersInXml()
    {
        var owner = await PartyAsync();
        var recipient = await PartyAsync();
        var image = await OwnImageAsync(owner, 0x65);
        await ShareAsync(owner, image, "AddAccount", recipient);
        var xml = (await owner.Client.CallAsync("DescribeImageSharePermission", Params(("RegionId", Region), ("ImageId", image), ("Format", "XML")))).Xml!;
        Assert.Equal("DescribeImageSharePermissionResponse", xml.Root!.Name.LocalName);
        Assert.Equal(recipient.AccountId, xml.Root.Element("Accounts")!.Element("Account")!.Element("AliyunId")!.Value);
    }
}
