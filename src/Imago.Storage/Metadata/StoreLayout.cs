namespace Imago.Storage.Metadata;

/// <summary>store.json: the parameters fixed when a store is created (every map and chunk depends on them).</summary>
public sealed record StoreLayout(int FormatVersion, int ChunkSize, int PageFanout)
{
    public const int CurrentFormatVersion = 1;
}
