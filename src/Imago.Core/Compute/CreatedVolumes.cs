using Imago.Storage;
using Microsoft.Extensions.Logging;

namespace Imago.Core.Compute;

/// <summary>
/// The volumes one operation created before committing the rows that point at them. When the operation fails
/// they are deleted again, so a refused or failed request leaves nothing behind (a crash in between leaves
/// only unreferenced bytes, never a row without bytes).
/// </summary>
internal sealed class CreatedVolumes(BlockStore store, ILogger logger, Func<string, CancellationToken, ValueTask>? afterEach)
{
    private readonly List<string> _ids = [];

    public IReadOnlyList<string> Ids => _ids;

    /// <summary>A clone of <paramref name="snapshotId"/> grown to <paramref name="sizeGiB"/>, or an empty volume when it is null.</summary>
    public async Task CreateAsync(string volumeId, string? snapshotId, int sizeGiB, CancellationToken cancellationToken)
    {
        var bytes = DiskCategories.Bytes(sizeGiB);
        if (snapshotId is null)
        {
            await store.CreateVolumeAsync(volumeId, bytes, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await store.CreateVolumeFromSnapshotAsync(snapshotId, volumeId, bytes, cancellationToken).ConfigureAwait(false);
        }

        _ids.Add(volumeId);
        if (afterEach is not null)
        {
            await afterEach(volumeId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes every volume created so far (best effort: a failure is logged, the rest still go).</summary>
    public async Task DeleteAllAsync()
    {
        foreach (var id in _ids)
        {
            try
            {
                await store.DeleteVolumeAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is StoreException or IOException)
            {
                logger.LogWarning("could not delete volume {VolumeId} of a failed operation: {Error}", id, e.Message);
            }
        }

        _ids.Clear();
    }
}
