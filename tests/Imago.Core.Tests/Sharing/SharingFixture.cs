using Imago.Core.Sharing;
using Imago.Core.Tests.Images;
using Imago.Data.Entities;

namespace Imago.Core.Tests.Sharing;

/// <summary>Two regions (no public catalog: sharing needs custom images and accounts only) and the sharing service.</summary>
public sealed class SharingFixture : IAsyncLifetime
{
    public const string Region = "cn-hangzhou";
    public const string OtherRegion = "cn-shanghai";

    private ImagesEnvironment? _environment;

    internal ImagesEnvironment Environment => _environment ?? throw new InvalidOperationException("not initialized");

    public ImageSharing Sharing { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _environment = await ImagesEnvironment.CreateAsync(Region, OtherRegion);
        Sharing = new ImageSharing(Environment.Database, Environment.Regions, TimeProvider.System);
    }

    /// <summary>A fresh account that exists (sharing refuses account ids nobody has).</summary>
    public async Task<Caller> NewAccountAsync()
    {
        var id = Ids.ResourceIds.NewAccountId();
        await using var db = Environment.Database.CreateContext();
        db.Accounts.Add(new AccountEntity { Id = id, Name = "acct-" + id, CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return new Caller(id);
    }

    public async Task DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }
}
