using System.Globalization;
using Imago.Api.Tests.Infrastructure;
using Imago.Api.Tests.Objects;
using Imago.Core.Buckets;
using Imago.Formats.Tests.Infrastructure;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Importing.ImportApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Buckets;

/// <summary>Bucket owners over HTTP: ImportImage reads only from the caller's buckets and the operator's; admin create --owner.</summary>
public sealed class BucketOwnershipTests(ImagoServer server) : IClassFixture<ImagoServer>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ImportImage_from_another_accounts_bucket_is_refused_like_a_missing_bucket()
    {
        var owner = await server.CreateAccountAsync();
        var intruder = await server.CreateAccountAsync();
        var objects = new OssTestClient(server.Http, owner.AccessKeyId, owner.AccessKeySecret, Region);
        var bucket = "own-" + Guid.NewGuid().ToString("N")[..12];
        var path = Path.Combine(_temp.Path, "disk.qcow2");
        QemuImg.Create(path, "qcow2", 64L << 20, null);
        QemuImg.IoCommands(path, "qcow2", "write -P 0x5a 1M 64k");
        (await objects.PutBucketAsync(bucket)).AssertStatus(200);
        (await objects.PutAsync(bucket, "disk.qcow2", await File.ReadAllBytesAsync(path))).AssertStatus(200);

        (string, string)[] mapping = [("RegionId", Region), ("DiskDeviceMapping.1.OSSBucket", bucket), ("DiskDeviceMapping.1.OSSObject", "disk.qcow2")];
        (string, string)[] missing = [("RegionId", Region), ("DiskDeviceMapping.1.OSSBucket", "no-such-bucket-x"), ("DiskDeviceMapping.1.OSSObject", "disk.qcow2")];
        var refused = (await server.ClientFor(intruder).CallAsync("ImportImage", Params(mapping))).AssertError("InvalidOSSBucket.NotFound", 400);
        var none = (await server.ClientFor(intruder).CallAsync("ImportImage", Params(missing))).AssertError("InvalidOSSBucket.NotFound", 400);
        Assert.Equal(none.Message!.Replace("no-such-bucket-x", "B", StringComparison.Ordinal), refused.Message!.Replace(bucket, "B", StringComparison.Ordinal));

        var ownerClient = server.ClientFor(owner);
        var (imageId, _) = await ImportAsync(ownerClient, mapping[1..]);
        Assert.Equal("Available", Text(await WaitForImageAsync(ownerClient, imageId), "Status"));

        // ExportImage: into one's own bucket yes; into another account's bucket as into a missing one.
        var intruderImage = (await ImportAsync(server.ClientFor(intruder), ("DiskDeviceMapping.1.OSSBucket", await OperatorBucketWithAsync(path)),
            ("DiskDeviceMapping.1.OSSObject", "disk.qcow2"))).ImageId;
        await WaitForImageAsync(server.ClientFor(intruder), intruderImage);
        var intoTheirs = (await server.ClientFor(intruder).CallAsync("ExportImage", Params(("RegionId", Region), ("ImageId", intruderImage), ("OSSBucket", bucket))))
            .AssertError("InvalidOSSBucket.NotFound", 400);
        var intoNone = (await server.ClientFor(intruder).CallAsync("ExportImage", Params(("RegionId", Region), ("ImageId", intruderImage), ("OSSBucket", "no-such-bucket-x"))))
            .AssertError("InvalidOSSBucket.NotFound", 400);
        Assert.Equal(intoNone.Message!.Replace("no-such-bucket-x", "B", StringComparison.Ordinal), intoTheirs.Message!.Replace(bucket, "B", StringComparison.Ordinal));
        await ownerClient.CallOkAsync("ExportImage", Params(("RegionId", Region), ("ImageId", imageId), ("OSSBucket", bucket)));
    }

    /// <summary>An operator bucket (no owner) holding <paramref name="file"/> as disk.qcow2: every account may import from it.</summary>
    private async Task<string> OperatorBucketWithAsync(string file)
    {
        var store = server.GetRequiredService<IBucketStore>();
        var bucket = "op-" + Guid.NewGuid().ToString("N")[..12];
        await store.CreateBucketAsync(Region, bucket, CancellationToken.None);
        await using var content = File.OpenRead(file);
        await store.PutObjectAsync(Region, bucket, "disk.qcow2", content, null, CancellationToken.None);
        return bucket;
    }

    [Fact]
    public async Task Admin_create_with_owner_makes_the_bucket_that_accounts_alone()
    {
        var owner = await server.CreateAccountAsync();
        var other = await server.CreateAccountAsync();
        var bucket = "adm-" + Guid.NewGuid().ToString("N")[..12];
        var id = owner.AccountId.ToString(CultureInfo.InvariantCulture);
        var (exit, output, error) = await server.RunImagoAsync("admin", "bucket", "create", "--region", Region, "--owner", id, bucket);
        Assert.True(exit == 0, error);
        Assert.Equal($"{bucket}: Created in {Region}, owned by account {id}\n", output);
        var info = await server.GetRequiredService<IBucketStore>().FindBucketAsync(Region, bucket, CancellationToken.None);
        Assert.Equal(owner.AccountId, info!.OwnerAccountId);

        (await new OssTestClient(server.Http, owner.AccessKeyId, owner.AccessKeySecret, Region).PutAsync(bucket, "k", [1])).AssertStatus(200);
        (await new OssTestClient(server.Http, other.AccessKeyId, other.AccessKeySecret, Region).GetAsync(bucket, "k")).AssertError("NoSuchBucket", 404);

        var bad = await server.RunImagoAsync("admin", "bucket", "create", "--region", Region, "--owner", "-3", "adm-bad-owner");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--owner '-3' is not an account id", bad.Error, StringComparison.Ordinal);
    }
}
