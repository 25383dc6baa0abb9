using Imago.Core.Regions;
using Imago.Storage;

namespace Imago.Core.Storage;

/// <summary>
/// One block store per region under <c>DATA/regions/REGION</c>: every byte of a region's disks, snapshots and
/// images lives in its store, and moving bytes to another region is replication between two stores.
/// </summary>
public sealed class RegionStores : IAsyncDisposable
{
    private readonly Dictionary<string, BlockStore> _stores;

    private RegionStores(Dictionary<string, BlockStore> stores) => _stores = stores;

    public static async Task<RegionStores> OpenAsync(string dataDirectory, RegionCatalog regions, CancellationToken cancellationToken = default)
    {
        var stores = new Dictionary<string, BlockStore>(StringComparer.Ordinal);
        try
        {
            foreach (var region in regions.RegionIds)
            {
                stores[region] = await BlockStore.OpenAsync(Path.Combine(dataDirectory, "regions", region), cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (var store in stores.Values)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        return new RegionStores(stores);
    }

    /// <summary>The store of <paramref name="regionId"/> (a region the catalog has).</summary>
    public BlockStore this[string regionId] => _stores.TryGetValue(regionId, out var store)
        ? store
        : throw new KeyNotFoundException($"no block store for region '{regionId}'");

    public IReadOnlyDictionary<string, BlockStore> All => _stores;

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores.Values)
        {
            await store.DisposeAsync().ConfigureAwait(false);
        }
    }
}
