using Imago.Api.Tests.Infrastructure;
using Imago.Core.Buckets;

namespace Imago.Api.Tests.Buckets;

/// <summary>
/// <c>imago admin bucket</c> against a running server's data directory: it takes no lock and touches only
/// DATA/buckets, so it works while serve holds the data directory and the block stores.
/// </summary>
public sealed class BucketCommandsWhileServingTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    [Fact]
    public async Task Buckets_are_managed_while_the_server_runs_and_a_store_opened_on_the_same_directory_sees_them()
    {
        var region = server.Regions[0];
        var upload = Path.Combine(server.DataDirectory, "upload-" + Guid.NewGuid().ToString("N"));
        var content = new byte[1 << 20];
        new Random(5).NextBytes(content);
        await File.WriteAllBytesAsync(upload, content);

        var created = await server.RunImagoAsync("admin", "bucket", "create", "--region", region, "serving");
        Assert.True(created.ExitCode == 0, created.Error);
        var put = await server.RunImagoAsync("admin", "bucket", "put", "--region", region, "serving", "images/one.raw", upload);
        Assert.True(put.ExitCode == 0, put.Error);

        var store = DirectoryBucketStore.Open(server.DataDirectory);
        await using var stream = await store.OpenReadAsync(region, "serving", "images/one.raw", CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());

        var other = await server.RunImagoAsync("admin", "bucket", "create", "--region", "eu-west-9", "serving");
        Assert.Equal(1, other.ExitCode);
        Assert.StartsWith("imago: region eu-west-9 is not one of this data directory's regions (", other.Error);
    }
}
