using Imago.Core.Regions;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Images;

/// <summary>A temp data directory with a SQLite database and the region stores, as <c>imago serve</c> opens them.</summary>
internal sealed class ImagesEnvironment : IAsyncDisposable
{
    private readonly TempDirectory _directory;

    private ImagesEnvironment(TempDirectory directory, ImagoDatabase database, RegionCatalog regions, RegionStores stores)
    {
        _directory = directory;
        Database = database;
        Regions = regions;
        Stores = stores;
    }

    public ImagoDatabase Database { get; }

    public RegionCatalog Regions { get; }

    public RegionStores Stores { get; }

    public string DataDirectory => _directory.Path;

    public string File(string name) => _directory.File(name);

    public static async Task<ImagesEnvironment> CreateAsync(params string[] regionIds)
    {
        var directory = new TempDirectory();
        var regions = new RegionCatalog(regionIds.Length > 0 ? regionIds : RegionCatalog.DefaultRegionIds);
        var database = new ImagoDatabase(new DatabaseOptions(directory.Path));
        await database.InitializeAsync();
        var stores = await RegionStores.OpenAsync(directory.Path, regions);
        return new ImagesEnvironment(directory, database, regions, stores);
    }

    public async ValueTask DisposeAsync()
    {
        await Stores.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
