using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.Chunks;

namespace Imago.Storage.Tests.Infrastructure;

/// <summary>A store in a temp directory, optionally with a small layout so multi-level trees stay small.</summary>
public sealed class StoreFixture : IAsyncDisposable
{
    private readonly TempDirectory _temp = new();

    private StoreFixture()
    {
    }

    public BlockStore Store { get; private set; } = null!;

    public CountingBackend Counter { get; private set; } = null!;

    public string Path => System.IO.Path.Combine(_temp.Path, "store");

    public string File(string name) => _temp.File(name);

    public BlockStoreOptions Options { get; private set; } = BlockStoreOptions.Default;

    public static async Task<StoreFixture> CreateAsync(int chunkSize = 64 * 1024, int? fanout = null)
    {
        var fixture = new StoreFixture();
        fixture.Options = new BlockStoreOptions
        {
            ChunkSize = chunkSize,
            PageFanout = fanout,
            WrapBackend = b => fixture.Counter = new CountingBackend(b),
        };
        fixture.Store = await BlockStore.OpenAsync(fixture.Path, fixture.Options);
        return fixture;
    }

    /// <summary>Closes and reopens the store, as a restarted process would.</summary>
    public async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = await BlockStore.OpenAsync(Path, Options);
    }

    public string ChunkPath(ChunkHash hash) => ((DirectoryChunkBackend)Counter.Inner).PathOf(hash);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _temp.Dispose();
    }
}
