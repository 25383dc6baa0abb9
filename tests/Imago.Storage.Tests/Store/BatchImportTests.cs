using Imago.Formats;
using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.Tests.Infrastructure;
using Imago.Storage.Tests.Review;
using Imago.Storage.Transfer;

namespace Imago.Storage.Tests.Store;

/// <summary><see cref="BlockStore.ImportManyAsync"/>: several images, one chunk flush and one record flush.</summary>
public sealed class BatchImportTests
{
    [Fact]
    public async Task Each_image_of_a_batch_becomes_the_snapshot_a_single_import_would_make()
    {
        await using var batch = await StoreFixture.CreateAsync();
        await using var single = await StoreFixture.CreateAsync();
        var paths = MakeImages(batch.File, 3);
        await using (var images = await OpenAllAsync(paths))
        {
            var results = await batch.Store.ImportManyAsync([.. images.Items.Select((image, i) => new SnapshotImport(image, $"s-{i}"))]);
            Assert.Equal(3, results.Count);
            Assert.All(results, r => Assert.True(r.DataChunks > 0));
        }

        for (var i = 0; i < paths.Count; i++)
        {
            await using (var image = await DiskImages.OpenAsync(paths[i]))
            {
                await single.Store.ImportAsync(image, $"s-{i}");
            }

            Assert.Equal(await single.Store.TryGetSnapshotRecordAsync($"s-{i}"), await batch.Store.TryGetSnapshotRecordAsync($"s-{i}"));
            await using var snapshot = await batch.Store.OpenSnapshotAsync($"s-{i}");
            Assert.Equal(await File.ReadAllBytesAsync(paths[i]), await Patterns.ReadAllAsync(snapshot));
        }
    }

    [Fact]
    public async Task A_batch_flushes_its_records_once_for_all_of_them()
    {
        using var temp = new TempDirectory();
        var sync = new ScriptedSync();
        await using var store = await BlockStore.OpenAsync(Path.Combine(temp.Path, "store"), new BlockStoreOptions { Sync = sync });
        var paths = MakeImages(temp.File, 4);
        sync.ClearCalls();
        await using (var images = await OpenAllAsync(paths))
        {
            await store.ImportManyAsync([.. images.Items.Select((image, i) => new SnapshotImport(image, $"s-{i}"))]);
        }

        var snapshots = Path.Combine(store.Directory, "snapshots");
        Assert.Equal(4, store.ListSnapshots().Count);
        Assert.DoesNotContain(sync.Calls, c => c.Kind == SyncKind.File); // no fsync per record file
        Assert.Single(sync.Calls, c => c.Kind == SyncKind.Directory && c.Path == snapshots);
        Assert.InRange(sync.Calls.Count(c => c.Kind == SyncKind.FileSystem), 2, 3); // chunks (+ their names), records
        Assert.Empty(Directory.EnumerateFiles(snapshots, "*.tmp"));
    }

    [Fact]
    public async Task A_batch_naming_an_existing_or_a_repeated_snapshot_is_refused_before_anything_is_stored()
    {
        await using var f = await StoreFixture.CreateAsync();
        var paths = MakeImages(f.File, 2);
        await using var images = await OpenAllAsync(paths);
        await f.Store.ImportAsync(images.Items[0], "s-1");
        f.Counter.Reset();

        await Assert.ThrowsAsync<StoreException>(() => f.Store.ImportManyAsync([new SnapshotImport(images.Items[1], "s-2"), new SnapshotImport(images.Items[1], "s-1")]));
        await Assert.ThrowsAsync<StoreException>(() => f.Store.ImportManyAsync([new SnapshotImport(images.Items[0], "s-3"), new SnapshotImport(images.Items[1], "s-3")]));
        Assert.Equal(["s-1"], f.Store.ListSnapshots());
        Assert.Equal(0, f.Counter.Puts);
    }

    [Fact]
    public async Task An_empty_batch_changes_nothing()
    {
        await using var f = await StoreFixture.CreateAsync();
        Assert.Empty(await f.Store.ImportManyAsync([]));
        Assert.Empty(f.Store.ListSnapshots());
    }

    /// <summary>Raw images of 4 MiB with different data (some of it shared, so the batch also deduplicates).</summary>
    private static List<string> MakeImages(Func<string, string> file, int count) =>
    [
        .. Enumerable.Range(0, count).Select(i =>
        {
            var path = file($"source-{i}.raw");
            QemuImg.Create(path, "raw", 4 << 20);
            QemuImg.IoCommands(path, "raw", "write -P 0x5a 0 64k", $"write -P {0x10 + i} {(i * 1024) + 512}k 100k");
            return path;
        }),
    ];

    private static async Task<OpenImages> OpenAllAsync(IEnumerable<string> paths)
    {
        var images = new OpenImages();
        foreach (var path in paths)
        {
            images.Items.Add(await DiskImages.OpenAsync(path));
        }

        return images;
    }

    private sealed class OpenImages : IAsyncDisposable
    {
        public List<IDiskImage> Items { get; } = [];

        public async ValueTask DisposeAsync()
        {
            foreach (var image in Items)
            {
                await image.DisposeAsync();
            }
        }
    }
}
