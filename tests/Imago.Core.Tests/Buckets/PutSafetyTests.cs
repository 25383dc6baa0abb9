using System.Security.Cryptography;
using Imago.Core.Buckets;
using static Imago.Core.Tests.Buckets.BucketStoreHarness;

namespace Imago.Core.Tests.Buckets;

/// <summary>A put publishes a whole object or nothing: failures, cancellations, dead writers and races.</summary>
public sealed class PutSafetyTests
{
    [Fact]
    public async Task A_put_whose_source_fails_midway_leaves_the_previous_object_and_no_temp_file()
    {
        using var harness = await CreateAsync();
        var original = RandomBytes(2 << 20, 1);
        await harness.PutAsync("disk.raw", original);

        var failing = new FailingStream(RandomBytes(8 << 20, 2), failAfter: 3 << 20);
        var error = await Assert.ThrowsAsync<IOException>(
            () => harness.Store.PutObjectAsync(Region, Bucket, "disk.raw", failing, null, CancellationToken.None));

        Assert.Equal("the source broke", error.Message);
        Assert.Empty(harness.TemporaryFiles());
        Assert.Equal(original, await harness.GetAsync("disk.raw"));
        harness.Reopen();
        Assert.Equal(original, await harness.GetAsync("disk.raw"));
        Assert.Empty(harness.TemporaryFiles());
    }

    [Fact]
    public async Task A_put_cancelled_midway_leaves_the_previous_object_and_no_temp_file()
    {
        using var harness = await CreateAsync();
        var original = RandomBytes(1 << 20, 3);
        await harness.PutAsync("disk.raw", original);
        using var cancel = new CancellationTokenSource();
        var reported = new List<long>();
        var progress = new SynchronousProgress(bytes =>
        {
            reported.Add(bytes);
            if (bytes >= 2 << 20)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Store.PutObjectAsync(
            Region, Bucket, "disk.raw", new MemoryStream(RandomBytes(16 << 20, 4)), progress, cancel.Token));

        Assert.Equal(0, reported[0]);
        Assert.True(reported[^1] < 16 << 20, "the put stopped before the end");
        Assert.Empty(harness.TemporaryFiles());
        harness.Reopen();
        Assert.Equal(original, await harness.GetAsync("disk.raw"));
    }

    [Fact]
    public async Task A_dead_puts_temp_file_is_removed_on_open_but_a_live_one_is_kept()
    {
        using var harness = await CreateAsync();
        await harness.PutAsync("disk.raw", [1, 2, 3]);
        var tmp = Path.Combine(harness.BucketDirectory, "tmp");

        // What a killed put leaves: a partial file nobody holds, last written a while ago.
        var dead = Path.Combine(tmp, Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(dead, new byte[100_000]);
        File.SetLastWriteTimeUtc(dead, DateTime.UtcNow - BucketLeftovers.StaleAfter - TimeSpan.FromSeconds(5));

        // A put in another process that has been waiting on a slow source: old, but its writer holds the lock.
        var live = Path.Combine(tmp, Guid.NewGuid().ToString("N"));
        await using (var writer = new FileStream(live, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            File.SetLastWriteTimeUtc(live, DateTime.UtcNow - BucketLeftovers.StaleAfter - TimeSpan.FromSeconds(5));

            // And one just begun, not yet locked.
            var fresh = Path.Combine(tmp, Guid.NewGuid().ToString("N"));
            await File.WriteAllBytesAsync(fresh, [0]);

            harness.Reopen();

            Assert.Equal(new[] { fresh, live }.Order(StringComparer.Ordinal), harness.TemporaryFiles().Order(StringComparer.Ordinal));
            File.Delete(fresh);
        }

        Assert.Equal([1, 2, 3], await harness.GetAsync("disk.raw"));
        Assert.Equal(["disk.raw"], (await harness.Store.ListObjectsAsync(Region, Bucket, null, null, 10, CancellationToken.None)).Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task Bucket_creates_and_deletes_killed_midway_are_finished_on_open_without_losing_objects()
    {
        using var harness = await CreateAsync();
        await harness.PutAsync("disk.raw", [1, 2, 3]);
        await harness.Store.CreateBucketAsync(Region, "empty", CancellationToken.None);
        var regionDirectory = Path.GetDirectoryName(harness.BucketDirectory)!;
        var old = (DateTimeOffset.UtcNow - BucketLeftovers.StaleAfter - TimeSpan.FromSeconds(5)).ToUnixTimeMilliseconds();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Killed between renaming the bucket away and checking it (one with an object, one empty), in the middle of
        // a create, and one delete still running in another process.
        Directory.Move(harness.BucketDirectory, Path.Combine(regionDirectory, $".deleting-{old}-{Guid.NewGuid():N}-{Bucket}"));
        Directory.Move(Path.Combine(regionDirectory, "empty"), Path.Combine(regionDirectory, $".deleting-{old}-{Guid.NewGuid():N}-empty"));
        Directory.CreateDirectory(Path.Combine(regionDirectory, $".creating-{old}-{Guid.NewGuid():N}", "objects"));
        var running = Path.Combine(regionDirectory, $".deleting-{now}-{Guid.NewGuid():N}-other");
        Directory.CreateDirectory(running);

        harness.Reopen();

        Assert.Equal([1, 2, 3], await harness.GetAsync("disk.raw"));
        Assert.Equal([Bucket], (await harness.Store.ListBucketsAsync(Region, CancellationToken.None)).Select(b => b.Name));
        Assert.Equal(new[] { Bucket, Path.GetFileName(running) }.Order(StringComparer.Ordinal), Directory.GetDirectories(regionDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Concurrent_puts_of_one_key_end_with_one_whole_object()
    {
        using var harness = await CreateAsync();
        var contents = Enumerable.Range(1, 6).Select(i => Enumerable.Repeat((byte)i, (1 << 20) + i * 4096).ToArray()).ToArray();

        var puts = await Task.WhenAll(contents.Select(c => Task.Run(() => harness.PutAsync("same", c))));

        var final = await harness.GetAsync("same");
        var winner = Assert.Single(contents, c => c.AsSpan().SequenceEqual(final));
        var stat = await harness.Store.StatObjectAsync(Region, Bucket, "same", CancellationToken.None);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(winner)), stat.Sha256);
        Assert.Contains(stat, puts);
        Assert.Empty(harness.TemporaryFiles());
        Assert.Single(Directory.EnumerateFiles(Path.Combine(harness.BucketDirectory, "objects"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_put_into_a_bucket_deleted_meanwhile_fails_as_bucket_not_found()
    {
        using var harness = await CreateAsync();
        var source = new GatedStream(RandomBytes(1 << 20, 5));
        var put = harness.Store.PutObjectAsync(Region, Bucket, "late", source, null, CancellationToken.None);
        await source.Started.Task;

        await harness.Store.DeleteBucketAsync(Region, Bucket, CancellationToken.None);
        source.Release.SetResult();

        Assert.Equal("InvalidOSSBucket.NotFound", (await Assert.ThrowsAsync<BucketException>(() => put)).Code);
        Assert.False(Directory.Exists(harness.BucketDirectory));
    }

    /// <summary>Progress reported on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    /// <summary>A source that throws after <paramref name="failAfter"/> bytes, like a dropped upload.</summary>
    private sealed class FailingStream(byte[] content, int failAfter) : MemoryStream(content)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position >= failAfter ? throw new IOException("the source broke") : base.ReadAsync(buffer[..Math.Min(buffer.Length, 256 * 1024)], cancellationToken);
    }

    /// <summary>A source that hands out its first read and then waits until released.</summary>
    private sealed class GatedStream(byte[] content) : MemoryStream(content)
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position > 0)
            {
                Started.TrySetResult();
                await Release.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }

            return await base.ReadAsync(buffer[..Math.Min(buffer.Length, 4096)], cancellationToken);
        }
    }
}
