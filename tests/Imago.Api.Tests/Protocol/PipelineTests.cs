using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Imago.Api.Tests.Infrastructure;

namespace Imago.Api.Tests.Protocol;

/// <summary>Successful calls over HTTP in every signing style, parameter merging and response shapes.</summary>
public sealed partial class PipelineTests(ProtocolServer server) : IClassFixture<ProtocolServer>
{
    private EcsClient Client => server.Client;

    [Theory]
    [MemberData(nameof(SignatureStyles.All), MemberType = typeof(SignatureStyles))]
    public async Task DescribeRegionsAnswersInEveryStyle(SignatureStyle style)
    {
        var response = await Client.CallAsync("DescribeRegions", new Dictionary<string, string> { ["AcceptLanguage"] = "en-US" }, style);

        var body = response.EnsureSuccess();
        Assert.Equal("application/json;charset=utf-8", response.ContentType);
        Assert.Matches(UpperUuid(), body["RequestId"]!.GetValue<string>());
        Assert.Equal(body["RequestId"]!.GetValue<string>(), response.Headers.GetValues("x-acs-request-id").Single());
        Assert.Null(body["Code"]);
        var regions = body["Regions"]!["Region"]!.AsArray();
        Assert.Equal(["ap-southeast-1", "cn-hangzhou", "cn-shanghai"], regions.Select(r => r!["RegionId"]!.GetValue<string>()));
        var hangzhou = regions[1]!;
        Assert.Equal("China (Hangzhou)", hangzhou["LocalName"]!.GetValue<string>());
        Assert.Equal("ecs.cn-hangzhou.aliyuncs.com", hangzhou["RegionEndpoint"]!.GetValue<string>());
        Assert.Equal("available", hangzhou["Status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ContentTypeIsExactlyWhatTheSdksCompare()
    {
        var json = await Client.CallAsync("DescribeRegions");
        var xml = await Client.CallAsync("DescribeRegions", format: "XML");
        Assert.Equal("application/json;charset=utf-8", json.ContentType);
        Assert.Equal("text/xml;charset=utf-8", xml.ContentType);
    }

    [Fact]
    public async Task DescribeRegionsDefaultsToChineseNames()
    {
        var body = await Client.CallOkAsync("DescribeRegions");
        var hangzhou = body["Regions"]!["Region"]!.AsArray().Single(r => r!["RegionId"]!.GetValue<string>() == "cn-hangzhou")!;
        Assert.Equal("华东1（杭州）", hangzhou["LocalName"]!.GetValue<string>());
    }

    [Fact]
    public async Task QueryAndFormParametersAreMergedAndProtocolParametersHidden()
    {
        var response = await Client.CallAsync("TestEcho", new Dictionary<string, string> { ["RegionId"] = "cn-hangzhou", ["Tag.1.Key"] = "a b+c&d=é" },
            SignatureStyle.V1PostSplit);

        var body = response.EnsureSuccess();
        var parameters = body["Parameters"]!.AsObject();
        Assert.Equal(["RegionId", "Tag.1.Key"], parameters.Select(p => p.Key));
        Assert.Equal("a b+c&d=é", parameters["Tag.1.Key"]!.GetValue<string>());
        Assert.Equal(ProtocolServer.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture), body["AccountId"]!.GetValue<string>());
        Assert.Equal(body["RequestId"]!.GetValue<string>(), body["HandlerRequestId"]!.GetValue<string>());
    }

    [Fact]
    public async Task AParameterRepeatedInQueryAndBodyIsSignedOnce()
    {
        // Signed as the client's one map; the body repeats RegionId with the same value.
        var response = await Client.CallAsync("TestEcho", new Dictionary<string, string> { ["RegionId"] = "cn-hangzhou" }, SignatureStyle.V1Post, options: new EcsCallOptions
        {
            AfterSigning = request => request.RequestUri = new Uri("/?RegionId=cn-hangzhou", UriKind.Relative),
        });
        Assert.Equal("cn-hangzhou", response.EnsureSuccess()["Parameters"]!["RegionId"]!.GetValue<string>());
    }

    [Fact]
    public async Task APlusInTheQueryIsASpaceAsTheGoSdkEncodesIt()
    {
        var response = await Client.CallAsync("TestEcho", new Dictionary<string, string> { ["Name"] = "a b" }, SignatureStyle.V1Get, options: new EcsCallOptions
        {
            AfterSigning = request => request.RequestUri = new Uri(request.RequestUri!.OriginalString.Replace("Name=a%20b", "Name=a+b", StringComparison.Ordinal), UriKind.Relative),
        });
        Assert.Equal("a b", response.EnsureSuccess()["Parameters"]!["Name"]!.GetValue<string>());
    }

    [Fact]
    public async Task TimestampsWithMillisecondsAreAccepted()
    {
        var timestamp = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var response = await Client.CallAsync("DescribeRegions", null, SignatureStyle.V1Get, options: new EcsCallOptions { Extra = new Dictionary<string, string> { ["Timestamp"] = timestamp } });
        response.EnsureSuccess();
    }

    [Fact]
    public async Task V3CarriesApiParametersInTheQuery()
    {
        var body = await Client.CallOkAsync("TestEcho", new Dictionary<string, string> { ["RegionId"] = "cn-shanghai", ["Name"] = "x y*z~" });
        Assert.Equal("cn-shanghai", body["Parameters"]!["RegionId"]!.GetValue<string>());
        Assert.Equal("x y*z~", body["Parameters"]!["Name"]!.GetValue<string>());
    }

    [Fact]
    public async Task XmlHasTheActionRootNestedWrappersAndRepeatedItems()
    {
        var response = await Client.CallAsync("TestEcho", new Dictionary<string, string> { ["RegionId"] = "cn-hangzhou" }, SignatureStyle.V1Get, "XML");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var root = response.Xml!.Root!;
        Assert.Equal("TestEchoResponse", root.Name.LocalName);
        Assert.Matches(UpperUuid(), root.Element("RequestId")!.Value);
        Assert.Equal(["m-1", "m-2"], root.Element("Images")!.Elements("Image").Select(i => i.Element("ImageId")!.Value));
        Assert.Equal("40", root.Element("Images")!.Elements("Image").First().Element("Size")!.Value);
        Assert.Equal(["i-1", "i-2"], root.Element("InstanceIdSets")!.Elements("InstanceIdSet").Select(i => i.Value));
        Assert.Equal("true", root.Element("Flag")!.Value);
        Assert.Equal("2", root.Element("Count")!.Value);
        Assert.Null(root.Element("Code"));
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", response.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task XmlDescribeRegionsAndXmlErrors()
    {
        var ok = await Client.CallAsync("DescribeRegions", null, SignatureStyle.V1Post, "xml");
        Assert.Equal("DescribeRegionsResponse", ok.Xml!.Root!.Name.LocalName);
        Assert.Equal(3, ok.Xml.Root.Element("Regions")!.Elements("Region").Count());

        var error = await Client.CallAsync("DescribeRegions", null, SignatureStyle.V1Get, "XML", new EcsCallOptions { SigningSecret = "wrong" });
        error.AssertError("SignatureDoesNotMatch", 400);
        Assert.Equal("Error", error.Xml!.Root!.Name.LocalName);
        Assert.Equal("text/xml;charset=utf-8", error.ContentType);
        Assert.NotNull(error.Xml.Root.Element("RequestId"));
        Assert.NotNull(error.Xml.Root.Element("HostId"));
        Assert.NotNull(error.Xml.Root.Element("Recommend"));
    }

    [Fact]
    public async Task FormatIsCaseInsensitiveAndValidated()
    {
        var json = await Client.CallAsync("DescribeRegions", null, SignatureStyle.V1Get, "json");
        json.EnsureSuccess();
        var bad = await Client.CallAsync("DescribeRegions", null, SignatureStyle.V1Get, "YAML");
        bad.AssertError("InvalidParameter", 400);
    }

    [Fact]
    public async Task CodeNeverAppearsInASuccessBody()
    {
        var body = await Client.CallOkAsync("TestCodeInBody");
        Assert.Null(body["Code"]);
        Assert.Equal("x", body["Value"]!.GetValue<string>());
    }

    [Fact]
    public async Task DescribeZonesListsTheRegionsZonesWithWrappers()
    {
        var body = await Client.CallOkAsync("DescribeZones", new Dictionary<string, string> { ["RegionId"] = "cn-hangzhou", ["AcceptLanguage"] = "en-US" });

        var zones = body["Zones"]!["Zone"]!.AsArray();
        Assert.Equal(["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k"], zones.Select(z => z!["ZoneId"]!.GetValue<string>()));
        var zone = zones[0]!;
        Assert.Equal("China (Hangzhou) Zone H", zone["LocalName"]!.GetValue<string>());
        Assert.Contains("Instance", zone["AvailableResourceCreation"]!["ResourceTypes"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Contains("cloud_essd", zone["AvailableDiskCategories"]!["DiskCategories"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Contains("ecs.g7.large", zone["AvailableInstanceTypes"]!["InstanceTypes"]!.AsArray().Select(t => t!.GetValue<string>()));
        var info = zone["AvailableResources"]!["ResourcesInfo"]![0]!;
        Assert.True(info["IoOptimized"]!.GetValue<bool>());
        Assert.Contains("cloud_essd", info["SystemDiskCategories"]!["supportedSystemDiskCategory"]!.AsArray().Select(t => t!.GetValue<string>()));

        var brief = await Client.CallOkAsync("DescribeZones", new Dictionary<string, string> { ["RegionId"] = "cn-hangzhou", ["Verbose"] = "false" });
        Assert.Null(brief["Zones"]!["Zone"]![0]!["AvailableResources"]);
        Assert.Equal("华东1（杭州） 可用区 H", brief["Zones"]!["Zone"]![0]!["LocalName"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("DescribeZones", "", "", "MissingParameter", 400)]
    [InlineData("DescribeZones", "RegionId", "cn-nowhere", "InvalidRegionId.NotFound", 404)]
    [InlineData("DescribeZones", "Verbose", "maybe", "InvalidParameter", 400)]
    [InlineData("DescribeRegions", "AcceptLanguage", "xx-YY", "InvalidAcceptLanguage.NotFound", 404)]
    [InlineData("DescribeRegions", "ResourceType", "nothing", "InvalidResourceType.NotFound", 404)]
    [InlineData("DescribeRegions", "InstanceChargeType", "Free", "InvalidParameter", 400)]
    public async Task RegionActionsRefuseBadParameters(string action, string name, string value, string code, int status)
    {
        var parameters = new Dictionary<string, string>();
        if (name.Length > 0)
        {
            parameters[name] = value;
        }

        if (action == "DescribeZones" && name != "RegionId" && name.Length > 0)
        {
            parameters["RegionId"] = "cn-hangzhou";
        }

        (await Client.CallAsync(action, parameters)).AssertError(code, status);
    }

    [Fact]
    public async Task HealthzAndMetricsNeedNoSignature()
    {
        await Client.CallOkAsync("DescribeRegions");

        using var health = await server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", JsonNode.Parse(await health.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());

        using var metrics = await server.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE imago_requests_total counter", text, StringComparison.Ordinal);
        Assert.Matches(new Regex("""imago_requests_total\{action="DescribeRegions",code="OK",status="200"\} [1-9]"""), text);
        Assert.Contains("# TYPE imago_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Matches(new Regex("""imago_request_duration_seconds_bucket\{action="DescribeRegions",le="\+Inf"\} [1-9]"""), text);
        Assert.Matches(new Regex("""imago_request_duration_seconds_count\{action="DescribeRegions"\} [1-9]"""), text);
    }

    [Fact]
    public async Task MetricsCountErrorsByCodeAndBoundUnknownActions()
    {
        await Client.CallAsync("NoSuchAction" + Guid.NewGuid().ToString("N"));
        var text = await server.Http.GetStringAsync("/metrics");
        Assert.Matches(new Regex("""imago_requests_total\{action="\(unknown\)",code="InvalidAction.NotFound",status="404"\} [1-9]"""), text);
        Assert.DoesNotContain("NoSuchAction", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachRequestLogsOneLineWithItsIdsAndNoSecret()
    {
        var response = await Client.CallAsync("DescribeRegions", null, SignatureStyle.V1Get);
        var requestId = response.EnsureSuccess()["RequestId"]!.GetValue<string>();
        var v3 = await Client.CallAsync("DescribeRegions");
        var v3RequestId = v3.EnsureSuccess()["RequestId"]!.GetValue<string>();

        var lines = server.Logs.Lines.Where(l => l.Message.Contains(requestId, StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        Assert.Equal("Imago.Api.Requests", line.Category);
        Assert.Contains("Action=DescribeRegions", line.Message, StringComparison.Ordinal);
        Assert.Contains($"AccessKeyId={server.Key.AccessKeyId}", line.Message, StringComparison.Ordinal);
        Assert.Contains($"AccountId={ProtocolServer.AccountId}", line.Message, StringComparison.Ordinal);
        Assert.Contains("Status=200", line.Message, StringComparison.Ordinal);
        Assert.Contains(server.Logs.Lines, l => l.Message.Contains(v3RequestId, StringComparison.Ordinal));
        Assert.DoesNotContain(server.Logs.Lines, l => l.Message.Contains(server.Key.Secret, StringComparison.Ordinal)
            || l.Message.Contains("ACS3-HMAC-SHA256 Credential", StringComparison.Ordinal)
            || l.Message.Contains("Signature=", StringComparison.Ordinal) && l.Message.Contains("%3D", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhatAHandlerLogsCarriesTheRequestIdScope()
    {
        var requestId = (await Client.CallOkAsync("TestLog"))["RequestId"]!.GetValue<string>();
        var line = Assert.Single(server.Logs.Lines, l => l.Message == "the test handler ran"
            && l.Scopes.OfType<IEnumerable<KeyValuePair<string, object>>>().Any(s => s.Contains(new("RequestId", requestId))));
        Assert.EndsWith(nameof(LoggingHandler), line.Category, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedCallIsLoggedWithItsCodeAndTheClaimedKey()
    {
        var response = await Client.CallAsync("DescribeRegions", options: new EcsCallOptions { SigningSecret = "wrong" });
        response.AssertError("SignatureDoesNotMatch", 400);
        var line = Assert.Single(server.Logs.Lines, l => l.Message.Contains(response.RequestId!, StringComparison.Ordinal));
        Assert.Contains("Status=400 Code=SignatureDoesNotMatch", line.Message, StringComparison.Ordinal);
        Assert.Contains($"AccessKeyId={server.Key.AccessKeyId} AccountId=-", line.Message, StringComparison.Ordinal);
        Assert.Contains("SignedWith=V3", line.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex("^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")]
    private static partial Regex UpperUuid();
}
