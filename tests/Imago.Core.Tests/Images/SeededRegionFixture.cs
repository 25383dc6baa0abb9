using Imago.Core.Images.Seeding;
using Imago.Data;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Tests.Images;

/// <summary>One region seeded with the whole public catalog, shared by the tests that inspect the seeded disks.</summary>
public sealed class SeededRegionFixture : IAsyncLifetime
{
    public const string Region = "cn-hangzhou";

    private ImagesEnvironment? _environment;

    internal ImagesEnvironment Environment => _environment ?? throw new InvalidOperationException("not initialized");

    public int Added { get; private set; }

    public async Task InitializeAsync()
    {
        _environment = await ImagesEnvironment.CreateAsync(Region);
        Added = await new PublicImageSeeder(Environment.Database, Environment.Stores, Environment.Regions).SeedAsync(CancellationToken.None);
    }

    /// <summary>The store snapshot behind a public image's system disk.</summary>
    public async Task<string> SystemSnapshotAsync(string imageId)
    {
        await using var db = Environment.Database.CreateContext();
        var mapping = await db.ImageDiskMappings.SingleAsync(m => m.RegionId == Region && m.ImageId == imageId && m.Index == 0);
        return mapping.SnapshotId!;
    }

    public async Task DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }
}
