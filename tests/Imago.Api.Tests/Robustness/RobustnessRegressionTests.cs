using Imago.Api.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Robustness;

/// <summary>The 500s the robustness sweep found, kept as plain cases.</summary>
public sealed class RobustnessRegressionTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    /// <summary>They were stored, and then every XML answer listing the resource was a 500.</summary>
    [Fact]
    public async Task TagKeysAndValuesWithControlCharactersAreMalformed()
    {
        var client = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x51);

        (await client.CallAsync("RunInstances", Params(("RegionId", Region), ("ImageId", image), ("InstanceType", "ecs.g7.large"),
            ("Tag.1.Key", "\u0001\u001b[31m")))).AssertError("InvalidTagKey.Malformed", 400);
        (await client.CallAsync("RunInstances", Params(("RegionId", Region), ("ImageId", image), ("InstanceType", "ecs.g7.large"),
            ("Tag.1.Key", "env"), ("Tag.1.Value", "a\u0007b")))).AssertError("InvalidTagValue.Malformed", 400);
        var instance = await RunInstanceAsync(client, image);
        (await client.CallAsync("CreateImage", Params(("RegionId", Region), ("InstanceId", instance), ("Tag.1.Key", "a\u0001b"))))
            .AssertError("InvalidTagKey.Malformed", 400);
        Assert.Single((await client.CallOkAsync("DescribeInstances", Params(("RegionId", Region))))["Instances"]!["Instance"]!.AsArray());
    }

    /// <summary>An error message echoing U+FFFE made the XML writer throw; the answer was a 500 with no body.</summary>
    [Fact]
    public async Task XmlErrorsEchoingCharactersXmlCannotHoldAreStillWellFormed()
    {
        var client = await ClientAsync(server);

        var response = await client.CallAsync("DescribeSnapshots", Params(("RegionId", "ab\uFFFE\uFFFF")), format: "XML");

        response.AssertError("InvalidRegionId.NotFound", 404);
        Assert.Contains("ab\uFFFD\uFFFD", response.Message, StringComparison.Ordinal);
    }

    /// <summary>Descriptions refuse control characters but not U+FFFF, which XML cannot carry: XML shows U+FFFD, JSON the text.</summary>
    [Fact]
    public async Task StoredTextXmlCannotHoldIsReplacedInXmlAndKeptInJson()
    {
        var client = await ClientAsync(server);
        var estate = await Estate.CreateAsync(server, client);
        await client.CallOkAsync("ModifyImageAttribute", Params(("RegionId", Region), ("ImageId", estate.CustomImageId), ("Description", "ok\uFFFFok")));

        var xml = await client.CallAsync("DescribeImages", Params(("RegionId", Region), ("ImageId", estate.CustomImageId)), format: "XML");

        Assert.Equal(System.Net.HttpStatusCode.OK, xml.Status);
        Assert.Equal("ok\uFFFDok", xml.Xml!.Descendants("Image").Single().Element("Description")!.Value);
        Assert.Equal("ok\uFFFFok", Text((await ImageAsync(client, estate.CustomImageId))!, "Description"));
    }

    /// <summary>On PostgreSQL every id, name or filter holding U+0000 was a 500 (Npgsql refuses NUL in text).</summary>
    [Theory]
    [InlineData("DescribeInstances", "InstanceName")]
    [InlineData("DescribeImages", "ImageName")]
    [InlineData("DeleteSnapshot", "SnapshotId")]
    [InlineData("DescribeTasks", "Tag.1.Key")]
    public async Task NulInAParameterIsInvalidParameterOnEveryDatabase(string action, string name)
    {
        var client = await ClientAsync(server);

        var response = await client.CallAsync(action, Params(("RegionId", Region), (name, "a\0b")));

        response.AssertError("InvalidParameter", 400);
        Assert.Contains(name, response.Message, StringComparison.Ordinal);
        // V1 (V3 clients sign names unencoded, so a name with NUL would stop at the signature).
        (await client.CallAsync(action, Params(("RegionId", Region), ("a\0b", "x")), SignatureStyle.V1Post)).AssertError("InvalidParameter", 400);
    }

    /// <summary>V3 clients put every parameter in the query: past Kestrel's default 8 KiB line that was a bare 414 with no ECS body.</summary>
    [Fact]
    public async Task ALongQueryFromAV3ClientGetsAnEcsError()
    {
        var client = await ClientAsync(server);

        var response = await client.CallAsync("DescribeImages", Params(("RegionId", Region), ("ImageName", HostileRequests.Long)));

        response.AssertError("InvalidParameter", 400);
        Assert.Contains("ImageName", response.Message, StringComparison.Ordinal);
    }
}
