using System.Net;

namespace Imago.Core;

/// <summary>How <c>imago serve</c> was started: what Core's services need to know of it.</summary>
/// <param name="DataDirectory">Holds the SQLite database (unless PostgreSQL is used), the block stores and the master key.</param>
/// <param name="RegionIds">The regions this service runs.</param>
/// <param name="NbdEndpoint">Where instance disks are served over NBD (default 127.0.0.1:10809); null: not served.</param>
/// <param name="InstanceTypesFile">A JSON instance-type catalog replacing the built-in one; null: built-in.</param>
/// <param name="NbdHost">The host name put in nbd:// URLs given to clients (default: the endpoint's address).</param>
/// <param name="CopyConcurrency">CopyImage transfers running at once per destination region; more wait (Status Waiting).</param>
/// <param name="TransferRateMiBPerSecond">Cap on copy and import bandwidth for the whole service, in MiB/s; 0: unlimited.</param>
public sealed record ServiceOptions(
    string DataDirectory,
    IReadOnlyList<string> RegionIds,
    IPEndPoint? NbdEndpoint,
    string? NbdHost = null,
    string? InstanceTypesFile = null,
    int CopyConcurrency = ServiceOptions.DefaultCopyConcurrency,
    double TransferRateMiBPerSecond = 0)
{
    public const int DefaultCopyConcurrency = 2;
}
