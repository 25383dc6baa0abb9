using Microsoft.Extensions.DependencyInjection;

namespace Imago.Api.Hosting;

/// <summary>
/// Registers the service's parts in DI. Each area implements its own partial method in its own file
/// (ImagoRegistration.Protocol.cs, .Accounts.cs, .Images.cs, .Compute.cs, ...), so areas never edit the same
/// lines. The host (imago serve) has already registered: <c>ServiceOptions</c>, <c>ImagoDatabase</c>
/// (schema created), <c>RegionCatalog</c>, <c>RegionStores</c> (opened), <c>InstanceTypeCatalog</c>, <c>TimeProvider</c>
/// and logging.
/// Hosted services start in registration order before the server accepts requests.
/// </summary>
public static partial class ImagoRegistration
{
    public static IServiceCollection AddImago(this IServiceCollection services)
    {
        AddProtocol(services);
        AddAccounts(services);
        AddRegions(services);
        AddImages(services);
        AddCompute(services);
        AddSnapshots(services);
        AddSharing(services);
        AddMarketplace(services);
        AddBuckets(services);
        AddCopying(services);
        AddExporting(services);
        AddBilling(services);
        return services;
    }

    /// <summary>Signatures, nonce cache, dispatcher, serializers, request logging, metrics.</summary>
    static partial void AddProtocol(IServiceCollection services);

    /// <summary>Account store and ICredentialStore.</summary>
    static partial void AddAccounts(IServiceCollection services);

    /// <summary>DescribeRegions, DescribeZones.</summary>
    static partial void AddRegions(IServiceCollection services);

    /// <summary>Public image catalog and seeding, image queries and changes.</summary>
    static partial void AddImages(IServiceCollection services);

    /// <summary>Instances, disks, snapshots, CreateImage, tasks, the NBD server.</summary>
    static partial void AddCompute(IServiceCollection services);

    /// <summary>Snapshots, CreateImage, the task runner and the task actions.</summary>
    static partial void AddSnapshots(IServiceCollection services);

    /// <summary>Issue 5: CopyImage, sharing, import, export.</summary>
    static partial void AddSharing(IServiceCollection services);

    /// <summary>Issue 6: marketplace and fees.</summary>
    static partial void AddMarketplace(IServiceCollection services);

    /// <summary>The bucket store and ImportImage.</summary>
    static partial void AddBuckets(IServiceCollection services);

    /// <summary>CopyImage, CancelCopyImage, the copy slots and the transfer throttle.</summary>
    static partial void AddCopying(IServiceCollection services);
    /// <summary>ExportImage.</summary>
    static partial void AddExporting(IServiceCollection services);

    /// <summary>Issue 6: usage metering, DescribePrice, QueryInstanceBill.</summary>
    static partial void AddBilling(IServiceCollection services);
}
