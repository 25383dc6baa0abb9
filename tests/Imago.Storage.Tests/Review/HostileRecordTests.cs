using System.Text.Json.Nodes;
using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Review;

/// <summary>Records are untrusted input: a size no disk can have is refused, never turned into a tree shape.</summary>
public sealed class HostileRecordTests
{
    private const int Chunk = 64 * 1024;

    [Theory]
    [InlineData(long.MaxValue)]         // size + chunk - 1 overflows: the block count would go negative
    [InlineData(long.MaxValue - 4096)]
    [InlineData((1L << 50) + 1)]        // past the largest disk the store creates
    [InlineData(0L)]                    // no blocks, yet a root (what a record that lost its "size" field reads as)
    public async Task A_record_with_an_impossible_size_is_refused_and_gc_deletes_nothing(long size)
    {
        await using var f = await StoreFixture.CreateAsync(Chunk, fanout: 8); // 4 MiB = 64 blocks: a two-level tree
        await f.Store.CreateVolumeAsync("d-1", 4 << 20);
        await using (var volume = await f.Store.OpenVolumeAsync("d-1"))
        {
            await volume.WriteAsync(0, Patterns.Random(4 << 20, 1));
        }

        await f.Store.SnapshotAsync("d-1", "s-1");
        await f.Store.DeleteVolumeAsync("d-1");
        var path = Path.Combine(f.Path, "snapshots", "s-1.json");
        var record = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        record["size"] = size;
        await File.WriteAllTextAsync(path, record.ToJsonString());
        var chunksBefore = Directory.EnumerateFiles(Path.Combine(f.Path, "chunks"), "*", SearchOption.AllDirectories).Count();

        var open = await Assert.ThrowsAsync<StoreException>(() => f.Store.OpenSnapshotAsync("s-1"));
        Assert.Contains("s-1", open.Message);
        // Walked with a wrong depth, the pages would be taken for data chunks and everything under them swept.
        await Assert.ThrowsAsync<StoreException>(() => f.Store.CollectGarbageAsync());
        Assert.Equal(chunksBefore, Directory.EnumerateFiles(Path.Combine(f.Path, "chunks"), "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public async Task A_replicated_record_with_an_impossible_size_is_not_written()
    {
        await using var f = await StoreFixture.CreateAsync(Chunk);
        var record = new Metadata.VersionRecord(long.MaxValue, Chunks.ChunkHash.Zero.ToString(), 1);
        await Assert.ThrowsAsync<StoreException>(() => f.Store.CreateSnapshotAsync("s-1", record));
        Assert.False(f.Store.SnapshotExists("s-1"));
    }
}
