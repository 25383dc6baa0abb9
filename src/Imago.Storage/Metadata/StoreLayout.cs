using System.Text.Json;
using Imago.Storage.Chunks;
using Imago.Storage.IO;

namespace Imago.Storage.Metadata;

/// <summary>store.json: the parameters fixed when a store is created (every map and chunk depends on them).</summary>
public sealed record StoreLayout(int FormatVersion, int ChunkSize, int PageFanout)
{
    public const int CurrentFormatVersion = 1;

    /// <summary>Reads <c>store.json</c>, or writes it from <paramref name="options"/> for a new store.</summary>
    internal static async Task<StoreLayout> LoadOrCreateAsync(string directory, BlockStoreOptions options, IStorageSync sync,
        CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, "store.json");
        if (File.Exists(path))
        {
            if (new FileInfo(path).Length > 64 * 1024)
            {
                throw new StoreException($"{path} is too large to be a store layout");
            }

            StoreLayout? existing;
            try
            {
                existing = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), MetadataJson.Default.StoreLayout);
            }
            catch (JsonException e)
            {
                throw new StoreException($"{path} is not valid JSON ({e.Message})");
            }

            if (existing is null || existing.FormatVersion != CurrentFormatVersion || !IsValidChunkSize(existing.ChunkSize)
                || existing.PageFanout < 2 || existing.PageFanout > existing.ChunkSize / ChunkHash.Size)
            {
                throw new StoreException($"{path} describes an unsupported or invalid layout");
            }

            return existing;
        }

        if (!IsValidChunkSize(options.ChunkSize))
        {
            throw new StoreException($"chunk size {options.ChunkSize} must be a power of two from 4 KiB to 4 MiB");
        }

        var fanout = options.PageFanout ?? options.ChunkSize / ChunkHash.Size;
        if (fanout < 2 || fanout > options.ChunkSize / ChunkHash.Size)
        {
            throw new StoreException($"page fanout {fanout} must be between 2 and {options.ChunkSize / ChunkHash.Size}");
        }

        var layout = new StoreLayout(CurrentFormatVersion, options.ChunkSize, fanout);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(layout, MetadataJson.Default.StoreLayout);
        // A creation killed before its rename leaves the temp file behind; we hold store.lock, so it is nobody's.
        DurableFile.TryDelete(path + ".tmp");
        await DurableFile.WriteAsync(path, path + ".tmp", bytes, flushDirectory: true, sync, cancellationToken).ConfigureAwait(false);
        return layout;
    }

    private static bool IsValidChunkSize(int size) => size is >= 4096 and <= 4 << 20 && int.IsPow2(size);
}
