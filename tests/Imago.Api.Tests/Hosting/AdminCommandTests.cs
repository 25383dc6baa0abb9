using System.Text.Json;
using Imago.Api.Tests.Infrastructure;
using Imago.Core.Accounts;
using Imago.Data;
using Microsoft.EntityFrameworkCore;

namespace Imago.Api.Tests.Hosting;

/// <summary>
/// <c>imago admin account|key ...</c> run in process against a running server's data (SQLite or PostgreSQL):
/// the documented output, and the running server seeing the changes.
/// </summary>
public sealed class AdminCommandTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    [Fact]
    public async Task Account_create_json_prints_the_three_documented_fields_and_the_running_server_knows_the_key()
    {
        var name = Unique("create");

        var (exitCode, output, error) = await server.RunImagoAsync("admin", "account", "create", name, "--json");

        Assert.True(exitCode == 0, error);
        Assert.Equal("", error);
        var line = Assert.Single(output.TrimEnd('\n').Split('\n'));
        using var json = JsonDocument.Parse(line);
        Assert.Equal(["AccountId", "AccessKeyId", "AccessKeySecret"], json.RootElement.EnumerateObject().Select(p => p.Name));
        var accountId = json.RootElement.GetProperty("AccountId").GetString()!;
        var accessKeyId = json.RootElement.GetProperty("AccessKeyId").GetString()!;
        var secret = json.RootElement.GetProperty("AccessKeySecret").GetString()!;
        Assert.Matches("^[1-9][0-9]{15}$", accountId);
        Assert.Matches("^LTAI[0-9A-Za-z]{20}$", accessKeyId);
        Assert.Matches("^[0-9A-Za-z]{30}$", secret);

        var credential = await server.GetRequiredService<ICredentialStore>().FindAsync(accessKeyId, CancellationToken.None);
        Assert.Equal(new AccessKeyCredential(accessKeyId, secret, long.Parse(accountId), Enabled: true), credential);
    }

    [Fact]
    public async Task The_secret_is_not_stored_in_clear_in_the_database()
    {
        var (_, output, _) = await server.RunImagoAsync("admin", "account", "create", Unique("secret"), "--json");
        using var json = JsonDocument.Parse(output);
        var accessKeyId = json.RootElement.GetProperty("AccessKeyId").GetString()!;
        var secret = json.RootElement.GetProperty("AccessKeySecret").GetString()!;

        // Every column of the row, as the backend returns it.
        await using var db = server.GetRequiredService<ImagoDatabase>().CreateContext();
        var row = await db.AccessKeys.AsNoTracking().SingleAsync(k => k.Id == accessKeyId);
        Assert.DoesNotContain(secret, System.Text.Encoding.Latin1.GetString(row.EncryptedSecret));
        Assert.DoesNotContain(secret, JsonSerializer.Serialize(row));

        if (!server.IsPostgres)
        {
            var bytes = Directory.GetFiles(server.DataDirectory, "imago.db*").SelectMany(ReadShared).ToArray();
            Assert.True(bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(accessKeyId)) >= 0, "the scan sees the key id, so it would see the secret");
            Assert.True(bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(secret)) < 0, "secret found in clear in the SQLite files");
        }
    }

    [Fact]
    public async Task Account_list_disable_enable_and_key_commands_work_while_the_server_runs()
    {
        var name = Unique("ops");
        var created = await CreateAsync(name);
        var store = server.GetRequiredService<ICredentialStore>();

        var added = await RunJsonAsync("admin", "key", "add", name, "--json");
        var secondKey = added.GetProperty("AccessKeyId").GetString()!;
        Assert.Equal(created.AccountId.ToString(), added.GetProperty("AccountId").GetString());

        Assert.Equal("Inactive", (await RunJsonAsync("admin", "key", "disable", created.AccessKeyId, "--json")).GetProperty("Status").GetString());
        Assert.Equal("Disabled", (await RunJsonAsync("admin", "account", "disable", name, "--json")).GetProperty("Status").GetString());

        var list = await RunJsonAsync("admin", "account", "list", "--json");
        var listed = list.EnumerateArray().Single(a => a.GetProperty("Name").GetString() == name);
        Assert.Equal("Disabled", listed.GetProperty("Status").GetString());
        Assert.Equal(
            [(created.AccessKeyId, "Inactive"), (secondKey, "Active")],
            listed.GetProperty("AccessKeys").EnumerateArray().Select(k => (k.GetProperty("AccessKeyId").GetString(), k.GetProperty("Status").GetString())).OrderBy(k => k.Item1 == secondKey));
        Assert.DoesNotContain(created.AccessKeySecret, list.GetRawText());

        Assert.Equal("Enabled", (await RunJsonAsync("admin", "account", "enable", name, "--json")).GetProperty("Status").GetString());
        Assert.Equal("Deleted", (await RunJsonAsync("admin", "key", "delete", created.AccessKeyId, "--json")).GetProperty("Status").GetString());

        // Never looked up before, so no cache stands between the admin process's change and the server.
        Assert.Null(await store.FindAsync(created.AccessKeyId, CancellationToken.None));
        Assert.True((await store.FindAsync(secondKey, CancellationToken.None))!.Enabled);
    }

    [Theory]
    [InlineData("account create", "imago: account '{0}' already exists")]
    [InlineData("account disable", "imago: no account named 'nobody-{0}'")]
    [InlineData("key disable", "imago: no AccessKey 'LTAInobody{0}'")]
    [InlineData("key delete", "imago: no AccessKey 'LTAInobody{0}'")]
    [InlineData("account create", "imago: 'bad name {0}' is not a valid account name")]
    public async Task Refusals_are_one_line_and_exit_1(string command, string expected)
    {
        var name = Unique("refuse");
        await CreateAsync(name);
        var operand = expected.Contains("nobody-") ? "nobody-" + name
            : expected.Contains("LTAInobody") ? "LTAInobody" + name
            : expected.Contains("bad name") ? "bad name " + name
            : name;

        var (exitCode, output, error) = await server.RunImagoAsync([.. command.Split(' ').Prepend("admin"), operand]);

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.StartsWith(string.Format(expected, name), error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Admin_on_a_directory_without_a_database_refuses_instead_of_creating_one()
    {
        using var empty = new Imago.Formats.Tests.Infrastructure.TempDirectory();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await Imago.Cli.CommandLine.Default.RunAsync(["admin", "account", "list", "--data", empty.Path], new Imago.Cli.CommandConsole(output, error), CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"imago: no Imago database in {empty.Path}", error.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(empty.Path));
    }

    private async Task<NewAccount> CreateAsync(string name)
    {
        var json = await RunJsonAsync("admin", "account", "create", name, "--json");
        return new NewAccount(long.Parse(json.GetProperty("AccountId").GetString()!), json.GetProperty("AccessKeyId").GetString()!, json.GetProperty("AccessKeySecret").GetString()!);
    }

    private async Task<JsonElement> RunJsonAsync(params string[] args)
    {
        var (exitCode, output, error) = await server.RunImagoAsync(args);
        Assert.True(exitCode == 0, $"{string.Join(' ', args)}: {error}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    private static byte[] ReadShared(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        file.CopyTo(copy);
        return copy.ToArray();
    }
}
