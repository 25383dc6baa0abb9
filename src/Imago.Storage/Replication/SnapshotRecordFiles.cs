using System.Text.Json;
using Imago.Storage.IO;
using Imago.Storage.Metadata;

namespace Imago.Storage.Replication;

/// <summary>
/// Reads and creates snapshot records of a destination store, for the replicator only. BlockStore has no
/// public call that records a snapshot under a given root (its record store is private), so this writes the
/// same file the store would (<c>snapshots/ID.json</c>, temp + fsync + rename + directory fsync).
/// </summary>
/// <remarks>
/// Known gap, to be replaced by a store hook (<c>BlockStore.CreateSnapshotAsync(id, VersionRecord)</c> taking
/// the store's metadata lock): the existence check and the rename are not atomic with the store's own record
/// writes, so two writers creating the same snapshot id at the same instant could both succeed. Garbage
/// collection is unaffected: every chunk the record names is pinned until after the record is durable.
/// </remarks>
internal static class SnapshotRecordFiles
{
    private const long MaxRecordBytes = 64 * 1024;

    public static async ValueTask<VersionRecord?> TryReadAsync(BlockStore store, string id, CancellationToken cancellationToken)
    {
        var path = PathOf(store, id);
        byte[] bytes;
        try
        {
            if (new FileInfo(path).Length > MaxRecordBytes)
            {
                throw new StoreException($"the record of snapshot '{id}' is too large");
            }

            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, MetadataJson.Default.VersionRecord)
                ?? throw new StoreException($"the record of snapshot '{id}' is empty");
        }
        catch (JsonException e)
        {
            throw new StoreException($"the record of snapshot '{id}' is not valid JSON ({e.Message})");
        }
    }

    public static async ValueTask CreateAsync(BlockStore store, string id, VersionRecord record, CancellationToken cancellationToken)
    {
        var path = PathOf(store, id);
        if (File.Exists(path))
        {
            throw new StoreException($"snapshot '{id}' already exists");
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, MetadataJson.Default.VersionRecord);
        await DurableFile.WriteAsync(path, $"{path}.{Guid.NewGuid():N}.tmp", bytes, flushDirectory: true, cancellationToken).ConfigureAwait(false);
    }

    private static string PathOf(BlockStore store, string id) =>
        Path.Combine(store.Directory, "snapshots", VersionId.Check(id) + ".json");
}
