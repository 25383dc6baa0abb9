using Imago.Formats.Tests.Infrastructure;

namespace Imago.Storage.Tests.Review;

/// <summary>A store in a temp directory over an <see cref="ArmableBackend"/>; a reopened store gets a fresh one.</summary>
public sealed class ArmableStore : IAsyncDisposable
{
    private readonly TempDirectory _temp = new();

    private ArmableStore(BlockStoreOptions options) => Options = options with { WrapBackend = b => Backend = new ArmableBackend(b) };

    public BlockStoreOptions Options { get; }

    /// <summary>The backend of the store open now.</summary>
    public ArmableBackend Backend { get; private set; } = null!;

    public BlockStore Store { get; private set; } = null!;

    public string Path => System.IO.Path.Combine(_temp.Path, "store");

    public static async Task<ArmableStore> CreateAsync(int chunkSize = 64 * 1024, int? fanout = null)
    {
        var armable = new ArmableStore(new BlockStoreOptions { ChunkSize = chunkSize, PageFanout = fanout });
        armable.Store = await BlockStore.OpenAsync(armable.Path, armable.Options);
        return armable;
    }

    /// <summary>Closes (committing open volumes) and reopens the store, as a restarted process would.</summary>
    public async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = await BlockStore.OpenAsync(Path, Options);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _temp.Dispose();
    }
}
