using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.Chunks;
using Imago.Storage.Metadata;
using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Store;

public sealed class ChunkStoreTests
{
    [Fact]
    public void Hash_names_are_sha256_hex_and_round_trip()
    {
        var hash = ChunkHash.Compute("abc"u8);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hash.ToString());
        Assert.Equal(hash, ChunkHash.Parse(hash.ToString()));
        Assert.False(ChunkHash.TryParse("../../etc/passwd", out _));
        Assert.True(ChunkHash.Zero.IsZero);
    }

    [Fact]
    public async Task Chunks_round_trip_dedupe_and_zero_chunks_are_never_stored()
    {
        await using var f = await StoreFixture.CreateAsync();
        var chunks = f.Store.Chunks;
        using var pins = chunks.CreatePins();
        var data = Patterns.Random(64 * 1024, 1);

        var hash = await chunks.WriteAsync(data, pins);
        var again = await chunks.WriteAsync(data, pins);
        var zero = await chunks.WriteAsync(new byte[64 * 1024], pins);

        Assert.Equal(hash, again);
        Assert.Equal(1, f.Counter.Puts);
        Assert.True(zero.IsZero);
        Assert.Equal(data, await chunks.ReadAsync(hash));
        // Fan-out: chunks/ab/cd/abcd...
        var name = hash.ToString();
        Assert.True(File.Exists(Path.Combine(f.Path, "chunks", name[..2], name[2..4], name)));
        Assert.Single(await ToListAsync(chunks.Backend.EnumerateAsync()));
    }

    [Fact]
    public async Task A_corrupt_or_missing_chunk_is_an_error_naming_the_chunk()
    {
        await using var f = await StoreFixture.CreateAsync();
        using var pins = f.Store.Chunks.CreatePins();
        var hash = await f.Store.Chunks.WriteAsync(Patterns.Random(64 * 1024, 2), pins);
        var path = f.ChunkPath(hash);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[1000] ^= 0x40;
        await File.WriteAllBytesAsync(path, bytes);

        var corrupt = await Assert.ThrowsAsync<ChunkCorruptException>(() => f.Store.Chunks.ReadAsync(hash).AsTask());
        Assert.Equal(hash, corrupt.Hash);
        Assert.Contains(hash.ToString(), corrupt.Message);

        File.Delete(path);
        var missing = await Assert.ThrowsAsync<ChunkCorruptException>(() => f.Store.Chunks.ReadAsync(hash).AsTask());
        Assert.Contains("missing", missing.Message);
    }

    [Fact]
    public async Task An_oversized_chunk_file_is_refused_without_loading_it()
    {
        await using var f = await StoreFixture.CreateAsync();
        using var pins = f.Store.Chunks.CreatePins();
        var hash = await f.Store.Chunks.WriteAsync(Patterns.Random(64 * 1024, 3), pins);
        await using (var stream = File.OpenWrite(f.ChunkPath(hash)))
        {
            stream.SetLength(1L << 30); // sparse 1 GiB file where a 64 KiB chunk should be
        }

        var e = await Assert.ThrowsAsync<ChunkCorruptException>(() => f.Store.Chunks.ReadAsync(hash).AsTask());
        Assert.Contains("more than a chunk", e.Message);
    }

    [Theory]
    [InlineData("d-123")]
    [InlineData("s-abc.v2_x")]
    public void Valid_ids_are_accepted(string id) => Assert.True(VersionId.IsValid(id));

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("a\0b")]
    [InlineData("a b")]
    public async Task Invalid_ids_are_refused(string id)
    {
        Assert.False(VersionId.IsValid(id));
        await using var f = await StoreFixture.CreateAsync();
        await Assert.ThrowsAsync<StoreException>(() => f.Store.CreateVolumeAsync(id, 1 << 20));
    }

    [Fact]
    public async Task A_store_is_opened_by_one_process_at_a_time()
    {
        await using var f = await StoreFixture.CreateAsync();
        await Assert.ThrowsAsync<StoreException>(() => BlockStore.OpenAsync(f.Path));
    }

    [Fact]
    public async Task A_damaged_record_is_reported_not_guessed()
    {
        await using var f = await StoreFixture.CreateAsync();
        await f.Store.CreateVolumeAsync("d-1", 1 << 20);
        await File.WriteAllTextAsync(Path.Combine(f.Path, "volumes", "d-1.json"), "{\"size\": -5, \"root\": \"zz\"}");
        var e = await Assert.ThrowsAsync<StoreException>(() => f.Store.OpenVolumeAsync("d-1"));
        Assert.Contains("d-1", e.Message);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
