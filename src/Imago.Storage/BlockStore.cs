using Imago.Formats;
using Imago.Formats.Conversion;
using Imago.Storage.Chunks;
using Imago.Storage.Integrity;
using Imago.Storage.IO;
using Imago.Storage.Metadata;
using Imago.Storage.Transfer;
using Imago.Storage.Tree;
using Imago.Storage.Volumes;

namespace Imago.Storage;

/// <summary>
/// A region's block store: deduplicated content-addressed chunks, and volumes and snapshots that are maps
/// from block to chunk sharing pages copy-on-write. One process opens a store at a time (store.lock).
/// </summary>
/// <remarks>
/// Fail-stop: after a flush to stable storage fails, the store refuses every change until it is reopened (see
/// <see cref="FailStopSync"/>); reads go on.
/// </remarks>
public sealed class BlockStore : IAsyncDisposable
{
    private readonly FileStream _lock;
    private readonly FailStopSync _sync;
    private readonly RecordStore _records;
    private readonly SemaphoreSlim _metadata = new(1, 1); // record changes, and a collection's capture of all roots
    private readonly SemaphoreSlim _integrity = new(1, 1); // a scrub and a collection never overlap (see ScrubAsync)
    private readonly Dictionary<string, StoredDisk> _openVolumes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _openSnapshots = new(StringComparer.Ordinal);
    private readonly Lock _openGate = new();

    private BlockStore(string directory, FileStream lockFile, FailStopSync sync, StoreLayout layout, ChunkStore chunks)
    {
        Directory = directory;
        _lock = lockFile;
        _sync = sync;
        Layout = layout;
        Chunks = chunks;
        _records = new RecordStore(directory, sync);
    }

    public string Directory { get; }

    public StoreLayout Layout { get; }

    public ChunkStore Chunks { get; }

    public int ChunkSize => Layout.ChunkSize;

    /// <summary>True after a failed flush: the store refuses changes until it is reopened.</summary>
    public bool IsStopped => _sync.IsStopped;

    /// <summary>Opens the store in <paramref name="directory"/>, creating it with <paramref name="options"/> when empty.</summary>
    public static async Task<BlockStore> OpenAsync(string directory, BlockStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= BlockStoreOptions.Default;
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(directory, "store.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StoreException($"the store {directory} is in use by another process ({e.Message})");
        }

        try
        {
            var sync = new FailStopSync(options.Sync ?? NativeStorageSync.Instance, directory);

            // A process killed after renaming chunks into place but before flushing their directories leaves names
            // that may still vanish on power loss. This process deduplicates against whatever names it finds, so it
            // makes them durable first: one syncfs of the store's file system, whatever the previous process left.
            sync.FlushFileSystem(directory);
            var layout = await StoreLayout.LoadOrCreateAsync(directory, options, sync, cancellationToken).ConfigureAwait(false);
            IChunkBackend backend = new DirectoryChunkBackend(directory, layout.ChunkSize, sync);
            if (options.WrapBackend is { } wrap)
            {
                backend = wrap(backend);
            }

            return new BlockStore(directory, lockFile, sync, layout, new ChunkStore(backend, layout.ChunkSize));
        }
        catch
        {
            await lockFile.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public IReadOnlyList<string> ListVolumes() => _records.List(VersionKind.Volume);

    public IReadOnlyList<string> ListSnapshots() => _records.List(VersionKind.Snapshot);

    public bool VolumeExists(string id) => _records.Exists(VersionKind.Volume, id);

    public bool SnapshotExists(string id) => _records.Exists(VersionKind.Snapshot, id);

    /// <summary>Creates an empty volume (reads as zeros) of <paramref name="size"/> bytes.</summary>
    public Task CreateVolumeAsync(string id, long size, CancellationToken cancellationToken = default) =>
        CreateRecordAsync(VersionKind.Volume, id, new VersionRecord(CheckSize(size), ChunkHash.Zero.ToString(), 0), cancellationToken);

    /// <summary>Opens a volume read-write. One opener at a time: a volume has a single writer.</summary>
    public async Task<IBlockDevice> OpenVolumeAsync(string id, CancellationToken cancellationToken = default)
    {
        VersionId.Check(id);
        await _metadata.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = await _records.ReadAsync(VersionKind.Volume, id, cancellationToken).ConfigureAwait(false);
            lock (_openGate)
            {
                if (_openVolumes.ContainsKey(id))
                {
                    throw new StoreException($"volume '{id}' is already open");
                }

                var disk = new StoredDisk($"volume '{id}'", Chunks, NewMap(record.Size, ChunkHash.Parse(record.Root)), record.Size,
                    record.Generation, _sync.ThrowIfStopped, (root, generation, ct) => CommitVolumeAsync(id, record.Size, root, generation, ct),
                    () => { lock (_openGate) { _openVolumes.Remove(id); } });
                _openVolumes.Add(id, disk);
                return disk;
            }
        }
        finally
        {
            _metadata.Release();
        }
    }

    /// <summary>Opens a snapshot as a read-only block device.</summary>
    public async Task<IBlockDevice> OpenSnapshotAsync(string id, CancellationToken cancellationToken = default) =>
        await OpenSnapshotDiskAsync(id, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Snapshots a volume: commits its pending writes (if it is open) and records its root under a new name.
    /// Costs the metadata changed since the last commit, whatever the disk size.
    /// </summary>
    public async Task SnapshotAsync(string volumeId, string snapshotId, CancellationToken cancellationToken = default)
    {
        VersionId.Check(volumeId);
        VersionId.Check(snapshotId);
        _sync.ThrowIfStopped();
        StoredDisk? open;
        lock (_openGate)
        {
            open = _openVolumes.GetValueOrDefault(volumeId);
        }

        if (open is not null)
        {
            try
            {
                await open.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // Closed while we waited for it: closing committed what it held, so the record read below is current.
            }
        }

        await _metadata.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = await _records.ReadAsync(VersionKind.Volume, volumeId, cancellationToken).ConfigureAwait(false);
            await WriteNewRecordLockedAsync(VersionKind.Snapshot, snapshotId, record, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _metadata.Release();
        }
    }

    /// <summary>A new volume sharing every chunk of the snapshot; <paramref name="size"/> may grow it (null: same size).</summary>
    public async Task CreateVolumeFromSnapshotAsync(string snapshotId, string volumeId, long? size = null, CancellationToken cancellationToken = default)
    {
        VersionId.Check(snapshotId);
        VersionId.Check(volumeId);
        _sync.ThrowIfStopped();
        await _metadata.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var snapshot = await _records.ReadAsync(VersionKind.Snapshot, snapshotId, cancellationToken).ConfigureAwait(false);
            var newSize = CheckSize(size ?? snapshot.Size);
            if (newSize < snapshot.Size)
            {
                throw new StoreException($"a volume cloned from snapshot '{snapshotId}' cannot be smaller than it ({snapshot.Size} bytes)");
            }

            var root = ChunkHash.Parse(snapshot.Root);
            using var pins = Chunks.CreatePins();
            if (Depth(newSize) != Depth(snapshot.Size))
            {
                // A deeper tree: new top pages above the old root (a handful of pages, not a copy).
                var map = NewMap(snapshot.Size, root);
                map.Grow(BlockCount(newSize));
                root = await map.CommitAsync(pins, cancellationToken).ConfigureAwait(false);
                await Chunks.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            await WriteNewRecordLockedAsync(VersionKind.Volume, volumeId, new VersionRecord(newSize, root.ToString(), 0), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _metadata.Release();
        }
    }

    public Task DeleteVolumeAsync(string id, CancellationToken cancellationToken = default) =>
        DeleteRecordAsync(VersionKind.Volume, id, cancellationToken);

    public Task DeleteSnapshotAsync(string id, CancellationToken cancellationToken = default) =>
        DeleteRecordAsync(VersionKind.Snapshot, id, cancellationToken);

    public async Task<VersionInfo> GetInfoAsync(VersionKind kind, string id, CancellationToken cancellationToken = default)
    {
        var record = await _records.ReadAsync(kind, VersionId.Check(id), cancellationToken).ConfigureAwait(false);
        var walker = new TreeWalker(Chunks, Layout.PageFanout);
        long allocated = 0;
        long pages = 0;
        var distinct = new HashSet<ChunkHash>();
        await walker.WalkAsync(ChunkHash.Parse(record.Root), Depth(record.Size), (level, hash) =>
        {
            if (level > 0)
            {
                pages++;
                return true;
            }

            allocated++;
            distinct.Add(hash);
            return false;
        }, cancellationToken).ConfigureAwait(false);
        return new VersionInfo(id, record.Size, allocated, (long)distinct.Count * ChunkSize, pages, record.Generation);
    }

    /// <summary>Streams an opened disk image into a new snapshot (see <see cref="SnapshotImporter"/>).</summary>
    public async Task<ImportResult> ImportAsync(IDiskImage source, string snapshotId, IProgress<ConvertProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        (await ImportCoreAsync([new SnapshotImport(source, snapshotId)], progress, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Imports several images, each into its own new snapshot, with one chunk flush and one record flush for the
    /// whole batch instead of one of each per image: what makes seeding many small images cheap, since a flush to
    /// stable storage waits for everything the file system has pending. Refused before anything is written when
    /// an id repeats or exists. Each snapshot is recorded only once every chunk is durable; a crash leaves some
    /// of them recorded (each whole) and none pointing at missing chunks.
    /// </summary>
    public Task<IReadOnlyList<ImportResult>> ImportManyAsync(IReadOnlyList<SnapshotImport> imports, CancellationToken cancellationToken = default) =>
        ImportCoreAsync(imports, progress: null, cancellationToken);

    private async Task<IReadOnlyList<ImportResult>> ImportCoreAsync(IReadOnlyList<SnapshotImport> imports, IProgress<ConvertProgress>? progress,
        CancellationToken cancellationToken)
    {
        _sync.ThrowIfStopped(); // before hours of hashing whose flush would be refused anyway
        foreach (var (source, snapshotId) in imports)
        {
            VersionId.Check(snapshotId);
            if (SnapshotExists(snapshotId))
            {
                throw new StoreException($"snapshot '{snapshotId}' already exists");
            }

            if (source.VirtualSize > MaxDiskSize)
            {
                throw new StoreException($"an image of {source.VirtualSize} bytes is larger than the largest disk the store holds ({MaxDiskSize})");
            }
        }

        if (imports.Select(i => i.SnapshotId).Distinct(StringComparer.Ordinal).Count() != imports.Count)
        {
            throw new StoreException("a batch import names the same snapshot twice");
        }

        if (imports.Count == 0)
        {
            return [];
        }

        using var pins = Chunks.CreatePins();
        var importer = new SnapshotImporter(Chunks, Layout.PageFanout);
        var records = new List<(string, VersionRecord)>(imports.Count);
        var results = new List<ImportResult>(imports.Count);
        foreach (var (source, snapshotId) in imports)
        {
            var (root, result) = await importer.ImportAsync(source, pins, progress, cancellationToken).ConfigureAwait(false);
            records.Add((snapshotId, new VersionRecord(source.VirtualSize, root.ToString(), 0)));
            results.Add(result);
        }

        await Chunks.FlushAsync(cancellationToken).ConfigureAwait(false);
        await CreateRecordsAsync(VersionKind.Snapshot, records, cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <summary>Writes a snapshot out as an image file through the format engine's converter.</summary>
    public async Task ExportAsync(string snapshotId, string path, ImageFormat format, ImageCreateOptions? createOptions = null,
        IProgress<ConvertProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var disk = await OpenSnapshotDiskAsync(snapshotId, cancellationToken).ConfigureAwait(false);
        await using (disk.ConfigureAwait(false))
        {
            var image = new SnapshotDiskImage(disk);
            await ImageConverter.ConvertToFileAsync(image, path, format, createOptions, progress, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Mark-and-sweep from every root; safe while volumes are written (see <see cref="GarbageCollector"/>). Waits
    /// for a running scrub or collection to finish first.
    /// </summary>
    public async Task<GcReport> CollectGarbageAsync(CancellationToken cancellationToken = default)
    {
        _sync.ThrowIfStopped(); // deleting is a change too, and what is on disk is in doubt
        await _integrity.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await new GarbageCollector(Chunks, Layout.PageFanout, CaptureRootsAsync).RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _integrity.Release();
        }
    }

    /// <summary>
    /// Re-hashes every chunk and checks that every root refers only to chunks present and intact. Waits for a
    /// running collection to finish and keeps new ones out until done: a sweep deletes chunks the scrub has listed
    /// or that roots it read (since deleted) still name, which it would report as corrupt or missing.
    /// </summary>
    public async Task<ScrubReport> ScrubAsync(CancellationToken cancellationToken = default)
    {
        await _integrity.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await new Scrubber(Chunks, Layout.PageFanout).RunAsync(ReadAllRootsAsync, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _integrity.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<StoredDisk> open;
        lock (_openGate)
        {
            open = [.. _openVolumes.Values];
        }

        List<Exception>? errors = null;
        try
        {
            foreach (var disk in open)
            {
                try
                {
                    await disk.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // One volume's failed final commit (a stopped store fails them all) must not leave the others open.
                    (errors ??= []).Add(e);
                }
            }
        }
        finally
        {
            // Even when a final flush fails (a dying disk), the store must be reopenable by this or another process.
            await _lock.DisposeAsync().ConfigureAwait(false);
            _metadata.Dispose();
            _integrity.Dispose();
        }

        if (errors is { Count: 1 })
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(errors[0]);
        }

        if (errors is not null)
        {
            throw new AggregateException("closing the store could not commit every open volume", errors);
        }
    }

    internal int Depth(long size) => new TreeShape(BlockCount(size), Layout.PageFanout).Depth;

    private long BlockCount(long size) => (size + ChunkSize - 1) / ChunkSize;

    private BlockMap NewMap(long size, ChunkHash root) => new(Chunks, Layout.PageFanout, BlockCount(size), root);

    private async Task<StoredDisk> OpenSnapshotDiskAsync(string id, CancellationToken cancellationToken)
    {
        VersionId.Check(id);
        await _metadata.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = await _records.ReadAsync(VersionKind.Snapshot, id, cancellationToken).ConfigureAwait(false);
            lock (_openGate)
            {
                _openSnapshots[id] = _openSnapshots.GetValueOrDefault(id) + 1;
            }

            return new StoredDisk($"snapshot '{id}'", Chunks, NewMap(record.Size, ChunkHash.Parse(record.Root)), record.Size,
                record.Generation, _sync.ThrowIfStopped, commitRoot: null, () =>
                {
                    lock (_openGate)
                    {
                        if (--_openSnapshots[id] == 0)
                        {
                            _openSnapshots.Remove(id);
                        }
                    }
                });
        }
        finally
        {
            _metadata.Release();
        }
    }

    private async ValueTask CommitVolumeAsync(string id, long size, ChunkHash root, long generation, CancellationToken cancellationToken)
    {
        await _metadata.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _sync.ThrowIfStopped();
            await _records.WriteAsync(VersionKind.Volume, id, new VersionRecord(size, root.ToString(), generation), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _metadata.Release();
        }
    }

    /// <summary>
    /// Records snapshot <paramref name="id"/> with a root whose chunks and pages are already durable in this store
    /// (the last step of a replication), under the same lock as every other record change. Refused if the id exists.
    /// </summary>
    public Task CreateSnapshotAsync(string id, VersionRecord record, CancellationToken cancellationToken = default) =>
        CreateRecordAsync(VersionKind.Snapshot, id, record, cancellationToken);

    /// <summary>The record of snapshot <paramref name="id"/>, or null when there is none.</summary>
    public async Task<VersionRecord?> TryGetSnapshotRecordAsync(string id, CancellationToken cancellationToken = default)
    {
        VersionId.Check(id);
        await _metadata.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _records.Exists(VersionKind.Snapshot, id)
                ? await _records.ReadAsync(VersionKind.Snapshot, id, cancellationToken).ConfigureAwait(false)
                : null;
        }
        finally
        {
            _metadata.Release();
        }
    }

    private async Task CreateRecordAsync(VersionKind kind, string id, VersionRecord record, CancellationToken cancellationToken)
    {
        VersionId.Check(id);
        if (record.Size is < 0 or > MaxDiskSize)
        {
            // Such a record would be refused as corrupt when read back (a replicated record is untrusted input).
            throw new StoreException($"invalid disk size {record.Size} for {RecordStore.Name(kind)} '{id}'");
        }

        await CreateRecordsAsync(kind, [(id, record)], cancellationToken).ConfigureAwait(false);
    }

    private async Task CreateRecordsAsync(VersionKind kind, IReadOnlyList<(string Id, VersionRecord Record)> records, CancellationToken cancellationToken)
    {
        await _metadata.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteNewRecordsLockedAsync(kind, records, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _metadata.Release();
        }
    }

    private Task WriteNewRecordLockedAsync(VersionKind kind, string id, VersionRecord record, CancellationToken cancellationToken) =>
        WriteNewRecordsLockedAsync(kind, [(id, record)], cancellationToken);

    /// <summary>New records, none of which may exist; several share their flushes (see <see cref="RecordStore.WriteManyAsync"/>).</summary>
    private async Task WriteNewRecordsLockedAsync(VersionKind kind, IReadOnlyList<(string Id, VersionRecord Record)> records, CancellationToken cancellationToken)
    {
        _sync.ThrowIfStopped();
        foreach (var (id, _) in records)
        {
            if (_records.Exists(kind, id))
            {
                throw new StoreException($"{RecordStore.Name(kind)} '{id}' already exists");
            }
        }

        await _records.WriteManyAsync(kind, records, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteRecordAsync(VersionKind kind, string id, CancellationToken cancellationToken)
    {
        VersionId.Check(id);
        _sync.ThrowIfStopped(); // the file would be gone before its directory flush refuses
        await _metadata.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_openGate)
            {
                if (kind == VersionKind.Volume ? _openVolumes.ContainsKey(id) : _openSnapshots.ContainsKey(id))
                {
                    throw new StoreException($"{RecordStore.Name(kind)} '{id}' is open");
                }
            }

            if (!_records.Exists(kind, id))
            {
                throw new StoreException($"{RecordStore.Name(kind)} '{id}' does not exist");
            }

            _records.Delete(kind, id);
        }
        finally
        {
            _metadata.Release();
        }
    }

    /// <summary>Every root under the metadata lock, after <paramref name="beforeRelease"/> ran (a collection starts there).</summary>
    private async Task<IReadOnlyList<VersionRoot>> CaptureRootsAsync(Action beforeRelease, CancellationToken cancellationToken)
    {
        await _metadata.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            beforeRelease();
            return await ReadAllRootsAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _metadata.Release();
        }
    }

    private async Task<IReadOnlyList<VersionRoot>> ReadAllRootsAsync(CancellationToken cancellationToken)
    {
        var roots = new List<VersionRoot>();
        foreach (var kind in Enum.GetValues<VersionKind>())
        {
            foreach (var id in _records.List(kind))
            {
                if (await _records.TryReadAsync(kind, id, cancellationToken).ConfigureAwait(false) is { } record)
                {
                    roots.Add(new VersionRoot(kind, id, ChunkHash.Parse(record.Root), Depth(record.Size)));
                }
            }
        }

        return roots;
    }

    /// <summary>The largest disk the store creates (1 PiB); a record naming a larger size is corrupt.</summary>
    internal const long MaxDiskSize = 1L << 50;

    private static long CheckSize(long size) =>
        size is > 0 and <= MaxDiskSize ? size : throw new StoreException($"invalid disk size {size} (1 byte to 1 PiB)");
}
