using System.Net;
using Imago.Api.Tests.Infrastructure;
using Imago.Core.Accounts;

namespace Imago.Api.Tests.Protocol;

/// <summary>
/// The protocol on the real service (<see cref="ImagoServer"/>: imago serve's host, real accounts in the database):
/// every signing style, key and account states as the account store reports them, and the unauthenticated endpoints.
/// </summary>
public sealed class ServeProtocolTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    private async Task<(EcsClient Client, NewAccount Account, string Name)> NewClientAsync()
    {
        var name = "proto-" + Guid.NewGuid().ToString("N")[..12];
        var account = await server.CreateAccountAsync(name);
        return (new EcsClient(server.CreateHttpClient(), account.AccessKeyId, account.AccessKeySecret), account, name);
    }

    [Theory]
    [MemberData(nameof(SignatureStyles.All), MemberType = typeof(SignatureStyles))]
    public async Task RegionsAndZonesAnswerEveryStyle(SignatureStyle style)
    {
        var (client, _, _) = await NewClientAsync();
        var regions = (await client.CallAsync("DescribeRegions", null, style)).EnsureSuccess();
        var ids = regions["Regions"]!["Region"]!.AsArray().Select(r => r!["RegionId"]!.GetValue<string>()).ToList();
        Assert.Equal(server.Regions.Order(StringComparer.Ordinal), ids);

        foreach (var regionId in ids)
        {
            var zones = (await client.CallAsync("DescribeZones", new Dictionary<string, string> { ["RegionId"] = regionId }, style)).EnsureSuccess();
            Assert.All(zones["Zones"]!["Zone"]!.AsArray(), z => Assert.StartsWith(regionId + "-", z!["ZoneId"]!.GetValue<string>(), StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task DisabledKeysAndAccountsAreForbiddenAndDeletedKeysUnknown()
    {
        var (client, account, name) = await NewClientAsync();
        var accounts = server.GetRequiredService<AccountService>();
        (await client.CallAsync("DescribeRegions")).EnsureSuccess();

        await accounts.SetKeyEnabledAsync(account.AccessKeyId, false, CancellationToken.None);
        (await client.CallAsync("DescribeRegions")).AssertError("Forbidden.AccessKeyDisabled", 403);
        await accounts.SetKeyEnabledAsync(account.AccessKeyId, true, CancellationToken.None);
        (await client.CallAsync("DescribeRegions", null, SignatureStyle.V1Get)).EnsureSuccess();

        await accounts.SetEnabledAsync(name, false, CancellationToken.None);
        (await client.CallAsync("DescribeRegions", null, SignatureStyle.V1Post)).AssertError("Forbidden.AccessKeyDisabled", 403);
        await accounts.SetEnabledAsync(name, true, CancellationToken.None);

        var second = await accounts.AddKeyAsync(name, CancellationToken.None);
        await accounts.DeleteKeyAsync(account.AccessKeyId, CancellationToken.None);
        (await client.CallAsync("DescribeRegions")).AssertError("InvalidAccessKeyId.NotFound", 400);
        (await client.WithKey(second.AccessKeyId, second.AccessKeySecret).CallAsync("DescribeRegions")).EnsureSuccess();
    }

    [Fact]
    public async Task WrongSecretAndReplayOnTheRealService()
    {
        var (client, _, _) = await NewClientAsync();
        (await client.CallAsync("DescribeRegions", options: new EcsCallOptions { SigningSecret = "wrong" })).AssertError("SignatureDoesNotMatch", 400);
        var once = new EcsCallOptions { Nonce = Guid.NewGuid().ToString("N") };
        (await client.CallAsync("DescribeRegions", null, SignatureStyle.V1Get, options: once)).EnsureSuccess();
        (await client.CallAsync("DescribeRegions", null, SignatureStyle.V1Get, options: once)).AssertError("SignatureNonceUsed", 400);
    }

    [Fact]
    public async Task HealthzAndMetricsAreServedWithoutASignature()
    {
        var (client, _, _) = await NewClientAsync();
        (await client.CallAsync("DescribeRegions")).EnsureSuccess();

        using var http = server.CreateHttpClient();
        using var health = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("imago_requests_total{action=\"DescribeRegions\",code=\"OK\",status=\"200\"}", metrics, StringComparison.Ordinal);
    }
}
