namespace Imago.Storage;

/// <summary>What a volume or snapshot holds.</summary>
/// <param name="Size">Virtual size in bytes.</param>
/// <param name="AllocatedChunks">Blocks that refer to a stored chunk (not the zero reference).</param>
/// <param name="UniqueBytes">Bytes of the distinct data chunks it refers to (after dedupe inside it).</param>
/// <param name="MetadataPages">Stored pages of its block map.</param>
public sealed record VersionInfo(string Id, long Size, long AllocatedChunks, long UniqueBytes, long MetadataPages, long Generation);
