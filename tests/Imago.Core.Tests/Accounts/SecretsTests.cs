using System.Security.Cryptography;
using Imago.Core.Accounts;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Accounts;

public sealed class SecretsTests
{
    [Fact]
    public void The_master_key_file_is_created_once_private_and_32_bytes_and_reused()
    {
        using var data = new TempDirectory();

        var first = MasterKey.LoadOrCreate(data.Path, environmentValue: null);
        var second = MasterKey.LoadOrCreate(data.Path, environmentValue: null);

        var path = Path.Combine(data.Path, MasterKey.FileName);
        Assert.Equal(32, new FileInfo(path).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Equal(path, first.Source);
        var secret = new SecretProtector(first).Protect("s3cret", "LTAIx");
        Assert.Equal("s3cret", new SecretProtector(second).Unprotect(secret, "LTAIx"));
        Assert.Equal([MasterKey.FileName], Directory.GetFiles(data.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Processes_creating_the_key_at_once_all_end_up_with_the_same_key()
    {
        using var data = new TempDirectory();

        var keys = Enumerable.Range(0, 16).AsParallel().Select(_ => MasterKey.LoadOrCreate(data.Path, environmentValue: null)).ToArray();

        var blob = new SecretProtector(keys[0]).Protect("s3cret", "LTAIx");
        Assert.All(keys, k => Assert.Equal("s3cret", new SecretProtector(k).Unprotect(blob, "LTAIx")));
        Assert.Equal([MasterKey.FileName], Directory.GetFiles(data.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void The_environment_variable_wins_over_the_file_and_is_checked()
    {
        using var data = new TempDirectory();
        var value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var key = MasterKey.LoadOrCreate(data.Path, value);

        Assert.Equal(MasterKey.EnvironmentVariable, key.Source);
        Assert.False(File.Exists(Path.Combine(data.Path, MasterKey.FileName)));
        Assert.Equal("IMAGO_MASTER_KEY holds 16 bytes, expected 32",
            Assert.Throws<InvalidDataException>(() => MasterKey.LoadOrCreate(data.Path, Convert.ToBase64String(new byte[16]))).Message);
        Assert.Throws<InvalidDataException>(() => MasterKey.LoadOrCreate(data.Path, "not base64!"));
    }

    [Fact]
    public void A_damaged_key_file_is_refused()
    {
        using var data = new TempDirectory();
        File.WriteAllBytes(Path.Combine(data.Path, MasterKey.FileName), new byte[7]);

        Assert.Contains("is not a master key (7 bytes, expected 32)", Assert.Throws<InvalidDataException>(() => MasterKey.LoadOrCreate(data.Path, null)).Message);
    }

    [Fact]
    public void A_secret_decrypts_only_under_its_master_key_and_its_own_key_id()
    {
        var key = MasterKey.LoadOrCreate("/nonexistent", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var other = MasterKey.LoadOrCreate("/nonexistent", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var protector = new SecretProtector(key);

        var blob = protector.Protect("abcdefghijklmnopqrstuvwxyz0123", "LTAIone");

        Assert.NotEqual(blob, protector.Protect("abcdefghijklmnopqrstuvwxyz0123", "LTAIone"));
        Assert.Equal("abcdefghijklmnopqrstuvwxyz0123", protector.Unprotect(blob, "LTAIone"));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(blob, "LTAItwo"));
        Assert.ThrowsAny<CryptographicException>(() => new SecretProtector(other).Unprotect(blob, "LTAIone"));
        blob[20] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(blob, "LTAIone"));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect([1, 2, 3], "LTAIone"));
    }

    [Fact]
    public async Task A_key_written_under_another_master_key_is_treated_as_unknown()
    {
        await using var fixture = await AccountsFixture.CreateAsync();
        var foreign = new AccountService(fixture.Database, new SecretProtector(MasterKey.LoadOrCreate("/nonexistent", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)))), TimeProvider.System);

        var created = await foreign.CreateAsync("alice", CancellationToken.None);

        Assert.Null(await fixture.Credentials.FindAsync(created.AccessKeyId, CancellationToken.None));
    }

    [Fact]
    public void Credentials_and_new_accounts_never_print_their_secret()
    {
        Assert.DoesNotContain("TOPSECRET", new AccessKeyCredential("LTAIx", "TOPSECRET", 1, true).ToString());
        Assert.DoesNotContain("TOPSECRET", new NewAccount(1, "LTAIx", "TOPSECRET").ToString());
        Assert.DoesNotContain("TOPSECRET", new NewAccessKey(1, "LTAIx", "TOPSECRET").ToString());
    }
}
