using Imago.Core.Accounts;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Tests.Accounts;

public sealed class ConsolePasswordsTests
{
    [Fact]
    public async Task A_set_password_verifies_and_only_its_hash_is_stored()
    {
        await using var fixture = await AccountsFixture.CreateAsync();
        var created = await fixture.Accounts.CreateAsync("alice", CancellationToken.None);
        var passwords = fixture.Accounts.ConsolePasswords;

        await passwords.SetAsync("alice", "correct horse battery", CancellationToken.None);

        var signIn = await passwords.VerifyAsync("alice", "correct horse battery", CancellationToken.None);
        Assert.Equal(created.AccountId, signIn?.AccountId);
        await using var db = fixture.Database.CreateContext();
        var stored = (await db.Accounts.SingleAsync(a => a.Id == created.AccountId)).ConsolePasswordHash;
        Assert.Matches(@"^pbkdf2-sha256\$600000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$", stored);
        Assert.DoesNotContain("correct horse battery", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_unknown_account_no_password_and_disabled_account_all_fail_alike()
    {
        await using var fixture = await AccountsFixture.CreateAsync();
        await fixture.Accounts.CreateAsync("alice", CancellationToken.None);
        await fixture.Accounts.CreateAsync("bob", CancellationToken.None);
        var passwords = fixture.Accounts.ConsolePasswords;
        await passwords.SetAsync("alice", "correct horse battery", CancellationToken.None);

        Assert.Null(await passwords.VerifyAsync("alice", "wrong horse battery", CancellationToken.None));
        Assert.Null(await passwords.VerifyAsync("nobody", "correct horse battery", CancellationToken.None));
        Assert.Null(await passwords.VerifyAsync("bob", "correct horse battery", CancellationToken.None));
        Assert.Null(await passwords.VerifyAsync("alice", new string('x', 129), CancellationToken.None));
        await fixture.Accounts.SetEnabledAsync("alice", enabled: false, CancellationToken.None);
        Assert.Null(await passwords.VerifyAsync("alice", "correct horse battery", CancellationToken.None));
    }

    [Fact]
    public async Task A_session_stamp_stays_valid_until_the_password_changes_or_the_account_is_disabled()
    {
        await using var fixture = await AccountsFixture.CreateAsync();
        var created = await fixture.Accounts.CreateAsync("alice", CancellationToken.None);
        var passwords = fixture.Accounts.ConsolePasswords;
        await passwords.SetAsync("alice", "correct horse battery", CancellationToken.None);
        var signIn = (await passwords.VerifyAsync("alice", "correct horse battery", CancellationToken.None))!;

        Assert.True(await passwords.StillValidAsync(created.AccountId, signIn.Stamp, CancellationToken.None));
        await passwords.SetAsync("alice", "correct horse battery", CancellationToken.None);
        Assert.False(await passwords.StillValidAsync(created.AccountId, signIn.Stamp, CancellationToken.None));

        var again = (await passwords.VerifyAsync("alice", "correct horse battery", CancellationToken.None))!;
        await fixture.Accounts.SetEnabledAsync("alice", enabled: false, CancellationToken.None);
        Assert.False(await passwords.StillValidAsync(created.AccountId, again.Stamp, CancellationToken.None));
    }

    [Fact]
    public async Task Set_refuses_short_and_long_passwords_and_unknown_accounts()
    {
        await using var fixture = await AccountsFixture.CreateAsync();
        await fixture.Accounts.CreateAsync("alice", CancellationToken.None);
        var passwords = fixture.Accounts.ConsolePasswords;

        foreach (var bad in new[] { "", "short", new string('x', 11), new string('x', 129) })
        {
            var refused = await Assert.ThrowsAsync<AccountException>(() => passwords.SetAsync("alice", bad, CancellationToken.None));
            Assert.Equal("a console password has 12 to 128 characters", refused.Message);
        }

        Assert.Equal("no account named 'nobody'",
            (await Assert.ThrowsAsync<AccountException>(() => passwords.SetAsync("nobody", "correct horse battery", CancellationToken.None))).Message);
    }
}
