using Imago.Core.Compute;
using Imago.Core.Images;
using Imago.Core.Images.Seeding;

namespace Imago.Core.Tests.Images;

/// <summary>
/// The three default regions seeded with the public catalog, and the image services over them. Tests share it and
/// stay independent by acting as fresh accounts (a new account id per test sees only public images).
/// </summary>
public sealed class SeededServiceFixture : IAsyncLifetime
{
    private ImagesEnvironment? _environment;

    internal ImagesEnvironment Environment => _environment ?? throw new InvalidOperationException("not initialized");

    public ImageQueries Queries { get; private set; } = null!;

    public ImageChanges Changes { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _environment = await ImagesEnvironment.CreateAsync();
        await new PublicImageSeeder(Environment.Database, Environment.Stores, Environment.Regions).SeedAsync(CancellationToken.None);
        Queries = new ImageQueries(Environment.Database, Environment.Regions, new InstanceTypeCatalog());
        Changes = new ImageChanges(Environment.Database, Environment.Regions);
    }

    public static Caller NewAccount() => new(Ids.ResourceIds.NewAccountId());

    public async Task DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }
}
