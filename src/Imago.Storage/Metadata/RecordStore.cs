using System.Text.Json;
using Imago.Storage.Chunks;
using Imago.Storage.IO;

namespace Imago.Storage.Metadata;

/// <summary>
/// Root records as small JSON files: <c>volumes/ID.json</c> and <c>snapshots/ID.json</c>, each replaced
/// atomically (temp, fsync, rename, directory fsync). A record that does not parse is reported, never guessed.
/// </summary>
internal sealed class RecordStore
{
    private const long MaxRecordBytes = 64 * 1024;

    private readonly string _directory;
    private readonly IStorageSync _sync;

    public RecordStore(string directory, IStorageSync sync)
    {
        _directory = directory;
        _sync = sync;
        foreach (var kind in Enum.GetValues<VersionKind>())
        {
            Directory.CreateDirectory(DirectoryOf(kind));
            foreach (var leftover in Directory.EnumerateFiles(DirectoryOf(kind), "*.tmp"))
            {
                DurableFile.TryDelete(leftover);
            }
        }

        _sync.FlushDirectory(directory);
    }

    public bool Exists(VersionKind kind, string id) => File.Exists(PathOf(kind, id));

    public IReadOnlyList<string> List(VersionKind kind) =>
        [.. Directory.EnumerateFiles(DirectoryOf(kind), "*.json")
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Where(VersionId.IsValid)
            .Order(StringComparer.Ordinal)];

    public async ValueTask<VersionRecord?> TryReadAsync(VersionKind kind, string id, CancellationToken cancellationToken)
    {
        var path = PathOf(kind, id);
        byte[] bytes;
        try
        {
            if (new FileInfo(path).Length > MaxRecordBytes)
            {
                throw Corrupt(kind, id, "is too large");
            }

            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        VersionRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(bytes, MetadataJson.Default.VersionRecord);
        }
        catch (JsonException e)
        {
            throw Corrupt(kind, id, $"is not valid JSON ({e.Message})");
        }

        // The size decides the tree's depth: one past any disk the store makes would be walked at a wrong depth
        // (near long.MaxValue the block count even overflows), and a collection would sweep what lies below.
        // A disk of no blocks has no tree: a root there (a "size" field lost) would be walked as if one level deep.
        if (record is null || record.Size is < 0 or > BlockStore.MaxDiskSize || record.Generation < 0 || !ChunkHash.TryParse(record.Root, out var root)
            || (record.Size == 0 && !root.IsZero))
        {
            throw Corrupt(kind, id, "has missing or invalid fields");
        }

        return record;
    }

    public async ValueTask<VersionRecord> ReadAsync(VersionKind kind, string id, CancellationToken cancellationToken) =>
        await TryReadAsync(kind, id, cancellationToken).ConfigureAwait(false)
        ?? throw new StoreException($"{Name(kind)} '{id}' does not exist");

    public ValueTask WriteAsync(VersionKind kind, string id, VersionRecord record, CancellationToken cancellationToken)
    {
        var path = PathOf(kind, id);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, MetadataJson.Default.VersionRecord);
        return DurableFile.WriteAsync(path, $"{path}.{Guid.NewGuid():N}.tmp", bytes, flushDirectory: true, _sync, cancellationToken);
    }

    /// <summary>
    /// Writes several new records with two flushes in all instead of two each: every temp file is written, one
    /// syncfs makes them durable, they are renamed into place, one fsync of the directory makes the names durable.
    /// Each record still appears atomically (whole, or not at all after a crash); one record takes the usual path.
    /// </summary>
    public async ValueTask WriteManyAsync(VersionKind kind, IReadOnlyList<(string Id, VersionRecord Record)> records, CancellationToken cancellationToken)
    {
        if (records.Count <= 1)
        {
            foreach (var (id, record) in records)
            {
                await WriteAsync(kind, id, record, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var staged = new List<(string Temporary, string Path)>(records.Count);
        try
        {
            foreach (var (id, record) in records)
            {
                var path = PathOf(kind, id);
                var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
                var bytes = JsonSerializer.SerializeToUtf8Bytes(record, MetadataJson.Default.VersionRecord);
                await DurableFile.WriteUnflushedAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
                staged.Add((temporary, path));
            }

            _sync.FlushFileSystem(DirectoryOf(kind));
            while (staged.Count > 0)
            {
                File.Move(staged[^1].Temporary, staged[^1].Path, overwrite: true);
                staged.RemoveAt(staged.Count - 1);
            }
        }
        finally
        {
            // Not renamed (a failure part way): temp files are never read, and a reopen would remove them anyway.
            foreach (var (temporary, _) in staged)
            {
                DurableFile.TryDelete(temporary);
            }
        }

        _sync.FlushDirectory(DirectoryOf(kind));
    }

    public void Delete(VersionKind kind, string id)
    {
        File.Delete(PathOf(kind, id));
        _sync.FlushDirectory(DirectoryOf(kind));
    }

    public static string Name(VersionKind kind) => kind == VersionKind.Volume ? "volume" : "snapshot";

    private static StoreException Corrupt(VersionKind kind, string id, string problem) =>
        new($"the record of {Name(kind)} '{id}' {problem}");

    private string DirectoryOf(VersionKind kind) =>
        Path.Combine(_directory, kind == VersionKind.Volume ? "volumes" : "snapshots");

    private string PathOf(VersionKind kind, string id) => Path.Combine(DirectoryOf(kind), VersionId.Check(id) + ".json");
}
