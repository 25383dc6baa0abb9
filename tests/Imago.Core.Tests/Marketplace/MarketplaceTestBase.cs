using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Marketplace;

/// <summary>A fresh <see cref="MarketplaceHarness"/> in a temp directory per test.</summary>
public abstract class MarketplaceTestBase : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    internal MarketplaceHarness Market { get; private set; } = null!;

    public async Task InitializeAsync() => Market = await MarketplaceHarness.OpenAsync(_dir.Path);

    public async Task DisposeAsync()
    {
        await Market.DisposeAsync();
        _dir.Dispose();
    }
}
