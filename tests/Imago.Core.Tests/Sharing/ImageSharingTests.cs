using System.Globalization;
using Imago.Core.Errors;
using Imago.Core.Images;
using Imago.Core.Sharing;
using Imago.Core.Tests.Images;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;
using static Imago.Core.Tests.Sharing.SharingFixture;

namespace Imago.Core.Tests.Sharing;

public sealed class ImageSharingTests(SharingFixture fixture) : IClassFixture<SharingFixture>
{
    private static KeyValuePair<string, string>[] Named(string list, params object[] accounts) =>
        [.. accounts.Select((a, i) => new KeyValuePair<string, string>($"{list}.{i + 1}",
            a is Caller c ? c.AccountId.ToString(CultureInfo.InvariantCulture) : (string)a))];

    private Task Add(Caller owner, string imageId, params object[] accounts) =>
        fixture.Sharing.ModifyAsync(owner, Region, imageId, new SharePermissionChange(Named("AddAccount", accounts), []), false, CancellationToken.None);

    private Task Remove(Caller owner, string imageId, params object[] accounts) =>
        fixture.Sharing.ModifyAsync(owner, Region, imageId, new SharePermissionChange([], Named("RemoveAccount", accounts)), false, CancellationToken.None);

    private async Task<EcsException> Refused(Func<Task> action) => await Assert.ThrowsAsync<EcsException>(action);

    private Task<ImageEntity> ImageOf(Caller owner, string status = ImageStatuses.Available) =>
        ImageRows.AddCustomImageAsync(fixture.Environment.Database, owner.AccountId, Region, "img-" + Guid.NewGuid().ToString("N")[..8], status);

    private async Task<long[]> SharedWith(Caller owner, string imageId)
    {
        var page = await fixture.Sharing.DescribeAsync(owner, Region, imageId, 1, 100, CancellationToken.None);
        return [.. page.Accounts.Select(a => a.AccountId)];
    }

    private async Task<bool> SeesAsync(Caller caller, string regionId, string imageId)
    {
        await using var db = fixture.Environment.Database.CreateContext();
        return await ImageAccess.Visible(db, caller, regionId).AnyAsync(i => i.Id == imageId);
    }

    [Fact]
    public async Task SharingGrantsAccessInTheImagesRegionAndUnsharingRemovesItAtOnce()
    {
        var owner = await fixture.NewAccountAsync();
        var recipient = await fixture.NewAccountAsync();
        var bystander = await fixture.NewAccountAsync();
        var image = await ImageOf(owner);
        Assert.False(await SeesAsync(recipient, Region, image.Id));

        await Add(owner, image.Id, recipient);
        Assert.True(await SeesAsync(recipient, Region, image.Id));
        Assert.False(await SeesAsync(recipient, OtherRegion, image.Id));
        Assert.False(await SeesAsync(bystander, Region, image.Id));
        Assert.Equal([recipient.AccountId], await SharedWith(owner, image.Id));

        await Remove(owner, image.Id, recipient);
        Assert.False(await SeesAsync(recipient, Region, image.Id));
        Assert.Empty(await SharedWith(owner, image.Id));
    }

    [Fact]
    public async Task AddingTwiceAndRemovingWhatIsNotSharedAreIdempotent()
    {
        var owner = await fixture.NewAccountAsync();
        var recipient = await fixture.NewAccountAsync();
        var never = await fixture.NewAccountAsync();
        var image = await ImageOf(owner);
        await Add(owner, image.Id, recipient, recipient);
        await Add(owner, image.Id, recipient);
        await Remove(owner, image.Id, never);
        Assert.Equal([recipient.AccountId], await SharedWith(owner, image.Id));
        await using var db = fixture.Environment.Database.CreateContext();
        Assert.Equal(1, await db.ImageShares.CountAsync(s => s.ImageId == image.Id));
    }

    [Fact]
    public async Task OnlyTheOwnerSeesOrChangesTheListAndEveryOtherImageIsNotFound()
    {
        var owner = await fixture.NewAccountAsync();
        var recipient = await fixture.NewAccountAsync();
        var third = await fixture.NewAccountAsync();
        var image = await ImageOf(owner);
        await Add(owner, image.Id, recipient);

        // the recipient can neither share it further nor read or change its list: as for any image it does not own
        Assert.Equal("InvalidImageId.NotFound", (await Refused(() => Add(recipient, image.Id, third))).Code);
        Assert.Equal("InvalidImageId.NotFound", (await Refused(() => Remove(recipient, image.Id, recipient))).Code);
        Assert.Equal("InvalidImageId.NotFound",
            (await Refused(() => fixture.Sharing.DescribeAsync(recipient, Region, image.Id, 1, 10, CancellationToken.None))).Code);
        // the owner's image in another region, an unknown id
        Assert.Equal("InvalidImageId.NotFound", (await Refused(() =>
            fixture.Sharing.ModifyAsync(owner, OtherRegion, image.Id, new SharePermissionChange(Named("AddAccount", third), []), false, CancellationToken.None))).Code);
        Assert.Equal("InvalidImageId.NotFound", (await Refused(() => Add(owner, "m-nobodys0000000000", third))).Code);
        Assert.Equal("InvalidRegionId.NotFound", (await Refused(() =>
            fixture.Sharing.DescribeAsync(owner, "xx-nowhere", image.Id, 1, 10, CancellationToken.None))).Code);
        Assert.Equal([recipient.AccountId], await SharedWith(owner, image.Id));
    }

    [Fact]
    public async Task PublicImagesAreNotFound()
    {
        var owner = await fixture.NewAccountAsync();
        var recipient = await fixture.NewAccountAsync();
        var image = await ImageOf(owner);
        await using (var db = fixture.Environment.Database.CreateContext())
        {
            var row = await db.Images.SingleAsync(i => i.Id == image.Id);
            row.Kind = ImageKinds.Public;
            row.OwnerAccountId = null;
            await db.SaveChangesAsync();
        }

        Assert.Equal("InvalidImageId.NotFound", (await Refused(() => Add(owner, image.Id, recipient))).Code);
    }

    [Theory]
    [InlineData("9999999999999999")]
    [InlineData("not-a-number")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("123456789012345678901234567890")]
    public async Task UnknownAccountsAreNotFoundAndNothingIsApplied(string unknown)
    {
        var owner = await fixture.NewAccountAsync();
        var recipient = await fixture.NewAccountAsync();
        var image = await ImageOf(owner);
        var error = await Refused(() => Add(owner, image.Id, recipient, unknown));
        Assert.Equal(("InvalidAccount.NotFound", 404), (error.Code, error.HttpStatus));
        Assert.Contains("AddAccount.2", error.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidAccount.NotFound", (await Refused(() => Remove(owner, image.Id, unknown))).Code);
        Assert.Empty(await SharedWith(owner, image.Id));
    }

    [Fact]
    public async Task TheOwnersOwnAccountIsForbbiden()
    {
        var owner = await fixture.NewAccountAsync();
        var image = await ImageOf(owner);
        var error = await Refused(() => Add(owner, image.Id, owner));
        Assert.Equal(("InvalidAccount.Forbbiden", 404), (error.Code, error.HttpStatus));
        Assert.Equal("InvalidAccount.Forbbiden", (await Refused(() => Remove(owner, image.Id, owner))).Code);
    }

    [Fact]
    public async Task AnAccountAddedAndRemovedInOneCallIsInvalid()
    {
        var owner = await fixture.NewAccountAsync();
        var recipient = await fixture.NewAccountAsync();
        var image = await ImageOf(owner);
        var error = await Refused(() => fixture.Sharing.ModifyAsync(owner, Region, image.Id,
            new SharePermissionChange(Named("AddAccount", recipient), Named("RemoveAccount", recipient)), false, CancellationToken.None));
        Assert.Equal("InvalidParameter", error.Code);
        Assert.Empty(await SharedWith(owner, image.Id));
    }

    [Theory]
    [InlineData(ImageStatuses.Creating, "IncorrectImageStatus")]
    [InlineData(ImageStatuses.CreateFailed, "IncorrectImageStatus")]
    [InlineData(ImageStatuses.Deprecated, "IncorrectImageStatus")]
    public async Task OnlyAvailableImagesCanBeShared(string status, string code)
    {
        var owner = await fixture.NewAccountAsync();
        var recipient = await fixture.NewAccountAsync();
        var image = await ImageOf(owner, status);
        var error = await Refused(() => Add(owner, image.Id, recipient));
        Assert.Equal((code, 403), (error.Code, error.HttpStatus));
        await Remove(owner, image.Id, recipient); // removing is allowed in any status
        Assert.Empty(await SharedWith(owner, image.Id));
    }

    [Fact]
    public async Task ImagesDerivedFromMarketplaceImagesCanBeSharedAndKeepTheirProductCode()
    {
        var owner = await fixture.NewAccountAsync();
        var recipient = await fixture.NewAccountAsync();
        var image = await ImageOf(owner);
        await using (var db = fixture.Environment.Database.CreateContext())
        {
            (await db.Images.SingleAsync(i => i.Id == image.Id)).ProductCode = "jxsc000123";
            await db.SaveChangesAsync();
        }

        await Add(owner, image.Id, recipient);
        Assert.Equal([recipient.AccountId], await SharedWith(owner, image.Id));
        await using var check = fixture.Environment.Database.CreateContext();
        Assert.Equal("jxsc000123", (await check.Images.SingleAsync(i => i.Id == image.Id)).ProductCode);
    }

    [Fact]
    public async Task CommunityImagesAreNotSupported()
    {
        var owner = await fixture.NewAccountAsync();
        var image = await ImageOf(owner);
        var error = await Refused(() => fixture.Sharing.ModifyAsync(owner, Region, image.Id, new SharePermissionChange([], [], IsPublic: true), false, CancellationToken.None));
        Assert.Equal(("OperationDenied", 403), (error.Code, error.HttpStatus));
        await fixture.Sharing.ModifyAsync(owner, Region, image.Id, new SharePermissionChange([], [], IsPublic: false), false, CancellationToken.None);

        KeyValuePair<string, string>[] all = [new("AddGroup.1", "all")];
        KeyValuePair<string, string>[] removeAll = [new("RemoveGroup.1", "all")];
        KeyValuePair<string, string>[] other = [new("AddGroup.1", "friends")];
        Assert.Equal("OperationDenied", (await Refused(() => fixture.Sharing.ModifyGroupAsync(owner, Region, image.Id, all, [], false, CancellationToken.None))).Code);
        Assert.Equal("InvalidGroup.Malformed", (await Refused(() => fixture.Sharing.ModifyGroupAsync(owner, Region, image.Id, other, [], false, CancellationToken.None))).Code);
        await fixture.Sharing.ModifyGroupAsync(owner, Region, image.Id, [], removeAll, false, CancellationToken.None);
        Assert.Equal("DryRunOperation", (await Refused(() => fixture.Sharing.ModifyGroupAsync(owner, Region, image.Id, [], removeAll, true, CancellationToken.None))).Code);
    }

    [Fact]
    public async Task DryRunChecksEverythingAndChangesNothing()
    {
        var owner = await fixture.NewAccountAsync();
        var recipient = await fixture.NewAccountAsync();
        var image = await ImageOf(owner);
        var dry = new SharePermissionChange(Named("AddAccount", recipient), []);
        Assert.Equal("DryRunOperation", (await Refused(() => fixture.Sharing.ModifyAsync(owner, Region, image.Id, dry, true, CancellationToken.None))).Code);
        Assert.Empty(await SharedWith(owner, image.Id));
        var bad = new SharePermissionChange(Named("AddAccount", "42"), []);
        Assert.Equal("InvalidAccount.NotFound", (await Refused(() => fixture.Sharing.ModifyAsync(owner, Region, image.Id, bad, true, CancellationToken.None))).Code);
    }

    [Fact]
    public async Task AtMostFiftyAccountsPerImage()
    {
        var owner = await fixture.NewAccountAsync();
        var image = await ImageOf(owner);
        var accounts = new List<Caller>();
        for (var i = 0; i < 51; i++)
        {
            accounts.Add(await fixture.NewAccountAsync());
        }

        foreach (var batch in accounts.Take(50).Chunk(10))
        {
            await Add(owner, image.Id, [.. batch]);
        }

        var error = await Refused(() => Add(owner, image.Id, accounts[50]));
        Assert.Equal(("QuotaExceed.ShareImageUser", 403), (error.Code, error.HttpStatus));
        Assert.Equal(50, (await SharedWith(owner, image.Id)).Length);

        // swapping one for another in one call stays within the quota
        await fixture.Sharing.ModifyAsync(owner, Region, image.Id,
            new SharePermissionChange(Named("AddAccount", accounts[50]), Named("RemoveAccount", accounts[0])), false, CancellationToken.None);
        var shared = await SharedWith(owner, image.Id);
        Assert.Equal(50, shared.Length);
        Assert.Contains(accounts[50].AccountId, shared);
        Assert.DoesNotContain(accounts[0].AccountId, shared);
    }

    [Fact]
    public async Task DescribePagesOldestShareFirst()
    {
        var owner = await fixture.NewAccountAsync();
        var image = await ImageOf(owner);
        var accounts = new List<Caller>();
        for (var i = 0; i < 12; i++)
        {
            var account = await fixture.NewAccountAsync();
            accounts.Add(account);
            await Add(owner, image.Id, account);
        }

        var second = await fixture.Sharing.DescribeAsync(owner, Region, image.Id, 2, 5, CancellationToken.None);
        Assert.Equal((12, 2, 5), (second.TotalCount, second.PageNumber, second.PageSize));
        Assert.Equal(accounts.Skip(5).Take(5).Select(a => a.AccountId), second.Accounts.Select(a => a.AccountId));
        var beyond = await fixture.Sharing.DescribeAsync(owner, Region, image.Id, 1_000_000, 100, CancellationToken.None);
        Assert.Equal(12, beyond.TotalCount);
        Assert.Empty(beyond.Accounts);
    }

    [Fact]
    public async Task ConcurrentAddsNeverExceedTheQuota()
    {
        var owner = await fixture.NewAccountAsync();
        var image = await ImageOf(owner);
        var batches = new List<Caller[]>();
        for (var b = 0; b < 8; b++)
        {
            var batch = new Caller[8];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = await fixture.NewAccountAsync();
            }

            batches.Add(batch);
        }

        var results = await Task.WhenAll(batches.Select(async batch =>
        {
            try
            {
                await Add(owner, image.Id, [.. batch]);
                return "ok";
            }
            catch (EcsException e)
            {
                return e.Code;
            }
        }));
        Assert.All(results, r => Assert.Contains(r, new[] { "ok", "OperationConflict", "QuotaExceed.ShareImageUser" }));
        var shared = await SharedWith(owner, image.Id);
        Assert.True(shared.Length <= ImageSharing.MaxAccountsPerImage);
        Assert.Equal(results.Count(r => r == "ok") * 8, shared.Length); // every call applied whole or not at all
    }
}
