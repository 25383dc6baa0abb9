using Imago.Core.Buckets;

namespace Imago.Core.Tests.Buckets;

/// <summary>Owners in bucket.json and the access gate: the owner's alone, the operator's for everyone, a stranger's as missing.</summary>
public sealed class BucketAccessTests
{
    private const string Region = BucketStoreHarness.Region;
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_owner_is_recorded_and_survives_a_reopen()
    {
        using var harness = await BucketStoreHarness.CreateAsync();
        var created = await harness.Store.CreateBucketAsync(Region, "owned", 42, None);
        Assert.Equal(42, created.OwnerAccountId);
        harness.Reopen();
        Assert.Equal(42, (await harness.Store.FindBucketAsync(Region, "owned", None))!.OwnerAccountId);
        Assert.Null((await harness.Store.FindBucketAsync(Region, BucketStoreHarness.Bucket, None))!.OwnerAccountId);
        Assert.Null(await harness.Store.FindBucketAsync(Region, "absent", None));
    }

    [Fact]
    public async Task A_bucket_json_from_before_owners_is_an_operator_bucket()
    {
        using var harness = await BucketStoreHarness.CreateAsync();
        await File.WriteAllTextAsync(Path.Combine(harness.BucketDirectory, "bucket.json"), "{\"CreationTime\":\"2026-01-02T03:04:05Z\"}");
        var info = await harness.Store.FindBucketAsync(Region, BucketStoreHarness.Bucket, None);
        Assert.Equal((new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), (long?)null), (info!.CreationTime, info.OwnerAccountId));
    }

    [Fact]
    public async Task Another_accounts_bucket_is_refused_exactly_like_a_missing_one()
    {
        using var harness = await BucketStoreHarness.CreateAsync();
        await harness.Store.CreateBucketAsync(Region, "mine", 7, None);

        Assert.Equal("mine", (await BucketAccess.RequireAsync(harness.Store, new Caller(7), Region, "mine", None)).Name);
        var theirs = await Assert.ThrowsAsync<BucketException>(() => BucketAccess.RequireAsync(harness.Store, new Caller(8), Region, "mine", None));
        var missing = await Assert.ThrowsAsync<BucketException>(() => BucketAccess.RequireAsync(harness.Store, new Caller(8), Region, "nope", None));
        Assert.Equal((missing.Code, missing.HttpStatus, missing.Message.Replace("nope", "B", StringComparison.Ordinal)),
            (theirs.Code, theirs.HttpStatus, theirs.Message.Replace("mine", "B", StringComparison.Ordinal)));
        Assert.Equal("InvalidOSSBucket.NotFound", theirs.Code);

        // The operator's bucket: everyone may use it, nobody but the operator deletes it.
        await BucketAccess.RequireAsync(harness.Store, new Caller(8), Region, BucketStoreHarness.Bucket, None);
        var denied = await Assert.ThrowsAsync<BucketException>(() => BucketAccess.RequireOwnerAsync(harness.Store, new Caller(8), Region, BucketStoreHarness.Bucket, None));
        Assert.Equal(("AccessDenied", 403), (denied.Code, denied.HttpStatus));
        await BucketAccess.RequireOwnerAsync(harness.Store, new Caller(7), Region, "mine", None);
    }
}
