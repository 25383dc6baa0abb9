using Imago.Formats;
using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.Chunks;
using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Review;

/// <summary>
/// After a failed fsync or syncfs, Linux may have dropped the dirty pages and a retried flush "succeeds" over data
/// that is not on disk. The store must stop: every later change fails with a StoreException that says to check the
/// disk and reopen, reads go on, and reopening clears it.
/// </summary>
public sealed class FailStopTests
{
    private const int Chunk = 64 * 1024;

    [Theory]
    [InlineData(SyncKind.FileSystem)] // the syncfs that makes staged chunks durable
    [InlineData(SyncKind.Directory)]  // the fsync of a directory that gained chunk names
    [InlineData(SyncKind.File)]       // the fsync of the new root record
    public async Task A_failed_flush_stops_the_store_until_it_is_reopened(SyncKind failing)
    {
        using var temp = new TempDirectory();
        var sync = new ScriptedSync();
        var options = new BlockStoreOptions { ChunkSize = Chunk, Sync = sync };
        var path = Path.Combine(temp.Path, "store");
        var data = Patterns.Random(2 * Chunk, 7);
        var store = await BlockStore.OpenAsync(path, options);
        try
        {
            await store.CreateVolumeAsync("d-1", 1 << 20);
            await store.CreateVolumeAsync("d-2", 1 << 20);
            await store.SnapshotAsync("d-2", "s-1");
            var volume = await store.OpenVolumeAsync("d-1");
            await volume.WriteAsync(0, data);
            sync.FailNext(failing);
            var first = await Assert.ThrowsAsync<StoreException>(async () => await volume.FlushAsync());
            Assert.IsType<IOException>(first.InnerException);
            Assert.True(store.IsStopped);

            // A retry must not report success over data that may never have reached the disk.
            await AssertStoppedAsync(async () => await volume.FlushAsync());
            await AssertStoppedAsync(async () => await volume.WriteAsync(0, data));
            await AssertStoppedAsync(() => store.SnapshotAsync("d-1", "s-2"));
            await AssertStoppedAsync(() => store.CreateVolumeAsync("d-3", 1 << 20));
            await AssertStoppedAsync(() => store.CreateVolumeFromSnapshotAsync("s-1", "d-4"));
            await AssertStoppedAsync(() => store.DeleteVolumeAsync("d-2"));
            await AssertStoppedAsync(() => store.CollectGarbageAsync());
            var raw = Path.Combine(temp.Path, "image.raw");
            await File.WriteAllBytesAsync(raw, data);
            await using (var image = await DiskImages.OpenAsync(raw))
            {
                await AssertStoppedAsync(() => store.ImportAsync(image, "s-3"));
            }

            // Reads still work: what the volume holds (committed or not) and every snapshot.
            var read = new byte[data.Length];
            await volume.ReadAsync(0, read);
            Assert.Equal(data, read);
            await using (var snapshot = await store.OpenSnapshotAsync("s-1"))
            {
                Assert.All(await Patterns.ReadAllAsync(snapshot), b => Assert.Equal(0, b));
            }

            // Closing cannot commit the pending writes, and says so.
            await AssertStoppedAsync(async () => await volume.DisposeAsync());
        }
        finally
        {
            await store.DisposeAsync();
        }

        // Reopening (after checking the disk) clears it.
        store = await BlockStore.OpenAsync(path, options);
        await using (store)
        {
            Assert.False(store.IsStopped);
            await using var volume = await store.OpenVolumeAsync("d-1");
            await volume.WriteAsync(0, data);
            await volume.FlushAsync();
            await store.SnapshotAsync("d-1", "s-2");
            Assert.True((await store.ScrubAsync()).IsClean);
        }
    }

    [Fact]
    public async Task A_failed_record_fsync_fails_the_create_and_every_later_one()
    {
        using var temp = new TempDirectory();
        var sync = new ScriptedSync();
        await using var store = await BlockStore.OpenAsync(Path.Combine(temp.Path, "store"), new BlockStoreOptions { ChunkSize = Chunk, Sync = sync });
        sync.FailNext(SyncKind.File);
        await Assert.ThrowsAsync<StoreException>(() => store.CreateVolumeAsync("d-1", 1 << 20));
        Assert.False(store.VolumeExists("d-1")); // never renamed into place

        await AssertStoppedAsync(() => store.CreateVolumeAsync("d-1", 1 << 20));
        Assert.False(store.VolumeExists("d-1"));
    }

    [Fact]
    public async Task Closing_a_stopped_store_closes_every_open_volume_and_reports_each_loss()
    {
        using var temp = new TempDirectory();
        var sync = new ScriptedSync();
        var path = Path.Combine(temp.Path, "store");
        var options = new BlockStoreOptions { ChunkSize = Chunk, Sync = sync };
        var store = await BlockStore.OpenAsync(path, options);
        await store.CreateVolumeAsync("d-1", 1 << 20);
        await store.CreateVolumeAsync("d-2", 1 << 20);
        var first = await store.OpenVolumeAsync("d-1");
        var second = await store.OpenVolumeAsync("d-2");
        await first.WriteAsync(0, Patterns.Random(Chunk, 1));
        await second.WriteAsync(0, Patterns.Random(Chunk, 2));
        sync.FailNext(SyncKind.FileSystem);
        await Assert.ThrowsAsync<StoreException>(async () => await first.FlushAsync());

        // Both volumes' pending writes are lost and both are said to be, not only the first one's.
        var closing = await Assert.ThrowsAsync<AggregateException>(async () => await store.DisposeAsync());
        Assert.Equal(2, closing.InnerExceptions.Count);
        Assert.All(closing.InnerExceptions, e => Assert.IsType<StoreException>(e));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await second.WriteAsync(0, new byte[512]));

        await using var reopened = await BlockStore.OpenAsync(path, options);
        Assert.False(reopened.IsStopped);
    }

    [Fact]
    public async Task A_flush_retried_after_a_failed_directory_sync_flushes_those_directories_again()
    {
        // The backend on its own (no fail-stop above it): a retry must not skip the directories the failed flush
        // had already taken off its list, or their new chunk names are reported durable when they are not.
        using var temp = new TempDirectory();
        var sync = new ScriptedSync();
        var backend = new DirectoryChunkBackend(temp.Path, Chunk, sync);
        var data = Patterns.Random(Chunk, 3);
        var hash = ChunkHash.Compute(data);
        await backend.PutAsync(hash, data);
        sync.FailNext(SyncKind.Directory);
        await Assert.ThrowsAsync<IOException>(async () => await backend.FlushAsync());

        sync.ClearCalls();
        await backend.FlushAsync();
        var flushed = sync.Calls.Where(c => c.Kind == SyncKind.Directory).Select(c => c.Path).ToList();
        Assert.Contains(Path.GetDirectoryName(backend.PathOf(hash))!, flushed); // the name's directory
        Assert.Contains(Path.Combine(temp.Path, "chunks"), flushed);            // the new fan-out directory's name
    }

    private static async Task AssertStoppedAsync(Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<StoreException>(action);
        Assert.Contains("stopped accepting writes", error.Message, StringComparison.Ordinal);
        Assert.Contains("reopen", error.Message, StringComparison.Ordinal);
    }
}
