using Imago.Api.Tests.Infrastructure;
using Imago.Core.Accounts;

namespace Imago.Api.Tests.Hosting;

/// <summary>An account's keys over HTTP: a new key works at once, a disabled one is refused at once, a deleted one is unknown.</summary>
public sealed class AccessKeyLifecycleTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    private AccountService Accounts => server.GetRequiredService<AccountService>();

    [Theory]
    [InlineData(SignatureStyle.V3)]
    [InlineData(SignatureStyle.V1Get)]
    [InlineData(SignatureStyle.V1Post)]
    public async Task A_new_accounts_key_is_accepted_at_once(SignatureStyle style)
    {
        var (client, _) = await server.CreateClientAsync();

        var answer = await client.CallAsync("DescribeRegions", style: style);

        answer.EnsureSuccess();
    }

    [Theory]
    [InlineData(SignatureStyle.V3)]
    [InlineData(SignatureStyle.V1Get)]
    public async Task A_disabled_key_is_forbidden_at_once_and_works_again_when_enabled(SignatureStyle style)
    {
        var (client, account) = await server.CreateClientAsync();
        (await client.CallAsync("DescribeRegions", style: style)).EnsureSuccess();

        await Accounts.SetKeyEnabledAsync(account.AccessKeyId, false, CancellationToken.None);
        (await client.CallAsync("DescribeRegions", style: style)).AssertError("Forbidden.AccessKeyDisabled", 403);

        await Accounts.SetKeyEnabledAsync(account.AccessKeyId, true, CancellationToken.None);
        (await client.CallAsync("DescribeRegions", style: style)).EnsureSuccess();
    }

    [Fact]
    public async Task Disabling_the_account_forbids_every_one_of_its_keys_and_no_other_account()
    {
        var (name, client, second) = await AccountWithTwoKeysAsync();
        var (other, _) = await server.CreateClientAsync();

        await Accounts.SetEnabledAsync(name, false, CancellationToken.None);

        (await client.CallAsync("DescribeRegions")).AssertError("Forbidden.AccessKeyDisabled", 403);
        (await client.WithKey(second.AccessKeyId, second.AccessKeySecret).CallAsync("DescribeRegions")).AssertError("Forbidden.AccessKeyDisabled", 403);
        (await other.CallAsync("DescribeRegions")).EnsureSuccess();
    }

    [Fact]
    public async Task A_deleted_key_is_not_found_and_the_accounts_other_key_still_works()
    {
        var (_, client, second) = await AccountWithTwoKeysAsync();
        (await client.CallAsync("DescribeRegions")).EnsureSuccess();

        await Accounts.DeleteKeyAsync(client.AccessKeyId, CancellationToken.None);

        (await client.CallAsync("DescribeRegions")).AssertError("InvalidAccessKeyId.NotFound", 400);
        (await client.CallAsync("DescribeRegions", style: SignatureStyle.V1Post)).AssertError("InvalidAccessKeyId.NotFound", 400);
        (await client.WithKey(second.AccessKeyId, second.AccessKeySecret).CallAsync("DescribeRegions")).EnsureSuccess();
    }

    [Fact]
    public async Task A_key_disabled_by_the_admin_command_next_to_the_running_server_is_forbidden()
    {
        var account = await server.CreateAccountAsync();

        var (exitCode, _, error) = await server.RunImagoAsync("admin", "key", "disable", account.AccessKeyId);
        Assert.True(exitCode == 0, error);

        // The key was never used, so nothing is cached: the server sees the other process's change at once.
        (await server.ClientFor(account).CallAsync("DescribeRegions")).AssertError("Forbidden.AccessKeyDisabled", 403);
    }

    [Fact]
    public async Task The_secret_never_appears_in_the_service_log()
    {
        var (client, account) = await server.CreateClientAsync();
        (await client.CallAsync("DescribeRegions", style: SignatureStyle.V1Get)).EnsureSuccess();
        (await client.WithKey(account.AccessKeyId, "wrong").CallAsync("DescribeRegions")).AssertError("SignatureDoesNotMatch", 400);

        var log = server.LogText;
        Assert.Contains("DescribeRegions", log);
        Assert.DoesNotContain(account.AccessKeySecret, log);
    }

    /// <summary>An account, a client with its first key, and its second key.</summary>
    private async Task<(string Name, EcsClient Client, NewAccessKey Second)> AccountWithTwoKeysAsync()
    {
        var name = Unique();
        var account = await server.CreateAccountAsync(name);
        return (name, server.ClientFor(account), await Accounts.AddKeyAsync(name, CancellationToken.None));
    }

    private static string Unique() => "keys-" + Guid.NewGuid().ToString("N")[..12];
}
