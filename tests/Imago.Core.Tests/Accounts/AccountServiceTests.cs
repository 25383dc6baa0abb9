using Imago.Core.Accounts;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Tests.Accounts;

public sealed class AccountServiceTests
{
    [Fact]
    public async Task Create_returns_a_16_digit_account_id_and_a_key_that_authenticates_with_its_secret()
    {
        await using var fixture = await AccountsFixture.CreateAsync();

        var created = await fixture.Accounts.CreateAsync("alice", CancellationToken.None);

        Assert.InRange(created.AccountId, 1_000_000_000_000_000L, 9_999_999_999_999_999L);
        Assert.Matches("^LTAI[0-9A-Za-z]{20}$", created.AccessKeyId);
        Assert.Matches("^[0-9A-Za-z]{30}$", created.AccessKeySecret);
        var credential = await fixture.Credentials.FindAsync(created.AccessKeyId, CancellationToken.None);
        Assert.Equal(new AccessKeyCredential(created.AccessKeyId, created.AccessKeySecret, created.AccountId, Enabled: true), credential);
    }

    [Fact]
    public async Task The_secret_is_stored_encrypted_and_nowhere_in_the_database_file_in_clear()
    {
        await using var fixture = await AccountsFixture.CreateAsync();
        var created = await fixture.Accounts.CreateAsync("alice", CancellationToken.None);

        await using (var db = fixture.Database.CreateContext())
        {
            var row = await db.AccessKeys.SingleAsync(k => k.Id == created.AccessKeyId);
            Assert.Equal(1 + 12 + created.AccessKeySecret.Length + 16, row.EncryptedSecret.Length);
            Assert.False(Contains(row.EncryptedSecret, System.Text.Encoding.UTF8.GetBytes(created.AccessKeySecret)));
        }

        // The database files as bytes (main file, WAL): the key id is there in clear, the secret is not.
        var bytes = Directory.GetFiles(fixture.DataDirectory, "imago.db*").SelectMany(File.ReadAllBytes).ToArray();
        Assert.True(Contains(bytes, System.Text.Encoding.UTF8.GetBytes(created.AccessKeyId)), "the scan sees the key id, so it would see the secret");
        Assert.False(Contains(bytes, System.Text.Encoding.UTF8.GetBytes(created.AccessKeySecret)));
    }

    [Fact]
    public async Task Names_are_unique_and_validated()
    {
        await using var fixture = await AccountsFixture.CreateAsync();
        await fixture.Accounts.CreateAsync("alice", CancellationToken.None);

        Assert.Equal("account 'alice' already exists", (await Assert.ThrowsAsync<AccountException>(() => fixture.Accounts.CreateAsync("alice", CancellationToken.None))).Message);
        foreach (var bad in new[] { "", " x", "a b", "-x", new string('a', 65), "x\u0001" })
        {
            await Assert.ThrowsAsync<AccountException>(() => fixture.Accounts.CreateAsync(bad, CancellationToken.None));
        }

        Assert.Single(await fixture.Accounts.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_creates_of_one_name_make_exactly_one_account()
    {
        await using var fixture = await AccountsFixture.CreateAsync();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                await fixture.Accounts.CreateAsync("race", CancellationToken.None);
                return true;
            }
            catch (AccountException)
            {
                return false;
            }
        }));

        Assert.Equal(1, attempts.Count(a => a));
        var account = Assert.Single(await fixture.Accounts.ListAsync(CancellationToken.None));
        Assert.Single(account.AccessKeys);
    }

    [Fact]
    public async Task List_shows_accounts_and_their_keys_with_status_in_name_order()
    {
        await using var fixture = await AccountsFixture.CreateAsync();
        var bob = await fixture.Accounts.CreateAsync("bob", CancellationToken.None);
        var alice = await fixture.Accounts.CreateAsync("alice", CancellationToken.None);
        var second = await fixture.Accounts.AddKeyAsync("bob", CancellationToken.None);
        await fixture.Accounts.SetKeyEnabledAsync(bob.AccessKeyId, false, CancellationToken.None);
        await fixture.Accounts.SetEnabledAsync("alice", false, CancellationToken.None);

        var list = await fixture.Accounts.ListAsync(CancellationToken.None);

        Assert.Equal(["alice", "bob"], list.Select(a => a.Name));
        Assert.Equal((alice.AccountId, false), (list[0].AccountId, list[0].Enabled));
        Assert.Equal((bob.AccountId, true), (list[1].AccountId, list[1].Enabled));
        Assert.Equal(
            [(bob.AccessKeyId, AccessKeyStatuses.Inactive), (second.AccessKeyId, AccessKeyStatuses.Active)],
            list[1].AccessKeys.Select(k => (k.AccessKeyId, k.Status)).OrderBy(k => k.AccessKeyId == second.AccessKeyId));
    }

    [Fact]
    public async Task A_disabled_key_or_account_is_found_but_not_enabled_at_once_and_enabling_restores_it()
    {
        await using var fixture = await AccountsFixture.CreateAsync();
        var alice = await fixture.Accounts.CreateAsync("alice", CancellationToken.None);
        Assert.True((await fixture.Credentials.FindAsync(alice.AccessKeyId, CancellationToken.None))!.Enabled);

        // The lookup above is cached; the change must still be seen by the very next lookup.
        await fixture.Accounts.SetKeyEnabledAsync(alice.AccessKeyId, false, CancellationToken.None);
        Assert.False((await fixture.Credentials.FindAsync(alice.AccessKeyId, CancellationToken.None))!.Enabled);

        await fixture.Accounts.SetKeyEnabledAsync(alice.AccessKeyId, true, CancellationToken.None);
        Assert.True((await fixture.Credentials.FindAsync(alice.AccessKeyId, CancellationToken.None))!.Enabled);

        await fixture.Accounts.SetEnabledAsync("alice", false, CancellationToken.None);
        Assert.False((await fixture.Credentials.FindAsync(alice.AccessKeyId, CancellationToken.None))!.Enabled);

        await fixture.Accounts.SetEnabledAsync("alice", true, CancellationToken.None);
        Assert.True((await fixture.Credentials.FindAsync(alice.AccessKeyId, CancellationToken.None))!.Enabled);
    }

    [Fact]
    public async Task A_deleted_key_is_unknown_and_the_other_keys_keep_working()
    {
        await using var fixture = await AccountsFixture.CreateAsync();
        var alice = await fixture.Accounts.CreateAsync("alice", CancellationToken.None);
        var second = await fixture.Accounts.AddKeyAsync("alice", CancellationToken.None);
        Assert.Equal(alice.AccountId, second.AccountId);
        Assert.NotNull(await fixture.Credentials.FindAsync(alice.AccessKeyId, CancellationToken.None));

        await fixture.Accounts.DeleteKeyAsync(alice.AccessKeyId, CancellationToken.None);

        Assert.Null(await fixture.Credentials.FindAsync(alice.AccessKeyId, CancellationToken.None));
        Assert.Equal(second.AccessKeySecret, (await fixture.Credentials.FindAsync(second.AccessKeyId, CancellationToken.None))!.Secret);
        Assert.Equal($"no AccessKey '{alice.AccessKeyId}'", (await Assert.ThrowsAsync<AccountException>(() => fixture.Accounts.DeleteKeyAsync(alice.AccessKeyId, CancellationToken.None))).Message);
    }

    [Fact]
    public async Task A_change_made_by_another_process_is_seen_once_the_one_second_cache_entry_expires()
    {
        await using var fixture = await AccountsFixture.CreateAsync();
        var alice = await fixture.Accounts.CreateAsync("alice", CancellationToken.None);
        Assert.True((await fixture.Credentials.FindAsync(alice.AccessKeyId, CancellationToken.None))!.Enabled);

        await fixture.OtherProcessAccounts().SetKeyEnabledAsync(alice.AccessKeyId, false, CancellationToken.None);

        fixture.Clock.Advance(CredentialCache.Lifetime - TimeSpan.FromMilliseconds(1));
        Assert.True((await fixture.Credentials.FindAsync(alice.AccessKeyId, CancellationToken.None))!.Enabled, "still cached");
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False((await fixture.Credentials.FindAsync(alice.AccessKeyId, CancellationToken.None))!.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(1), CredentialCache.Lifetime);
    }

    [Fact]
    public async Task Delete_refuses_an_account_that_owns_resources_and_removes_one_that_owns_none()
    {
        await using var fixture = await AccountsFixture.CreateAsync();
        var alice = await fixture.Accounts.CreateAsync("alice", CancellationToken.None);
        var bob = await fixture.Accounts.CreateAsync("bob", CancellationToken.None);
        await using (var db = fixture.Database.CreateContext())
        {
            db.Snapshots.Add(new SnapshotEntity { Id = "s-bp1", AccountId = alice.AccountId, RegionId = "cn-hangzhou", Status = "accomplished" });
            db.Images.Add(new ImageEntity { Id = "m-bp1", RegionId = "cn-hangzhou", OwnerAccountId = alice.AccountId, Kind = "custom", Name = "x", Status = "Available" });
            db.ImageShares.Add(new ImageShareEntity { RegionId = "cn-hangzhou", ImageId = "m-bp1", AccountId = bob.AccountId });
            await db.SaveChangesAsync();
        }

        var refused = await Assert.ThrowsAsync<AccountException>(() => fixture.Accounts.DeleteAsync("alice", CancellationToken.None));
        Assert.Equal("account 'alice' still owns 1 images, 1 snapshots; delete them first, or disable the account instead", refused.Message);
        Assert.NotNull(await fixture.Credentials.FindAsync(alice.AccessKeyId, CancellationToken.None));

        await fixture.Accounts.DeleteAsync("bob", CancellationToken.None);

        Assert.Null(await fixture.Credentials.FindAsync(bob.AccessKeyId, CancellationToken.None));
        Assert.Equal(["alice"], (await fixture.Accounts.ListAsync(CancellationToken.None)).Select(a => a.Name));
        await using (var db = fixture.Database.CreateContext())
        {
            Assert.False(await db.ImageShares.AnyAsync(s => s.AccountId == bob.AccountId));
            Assert.False(await db.AccessKeys.AnyAsync(k => k.AccountId == bob.AccountId));
        }

        Assert.Equal("no account named 'bob'", (await Assert.ThrowsAsync<AccountException>(() => fixture.Accounts.DeleteAsync("bob", CancellationToken.None))).Message);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
