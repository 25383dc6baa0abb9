namespace Imago.Storage.Transfer;

/// <summary>What an import stored.</summary>
/// <param name="DataChunks">Non-zero chunks the image maps to.</param>
/// <param name="NewChunks">Chunks that were not in the store before (the rest were deduplicated).</param>
/// <param name="BytesRead">Bytes read from the source (zero and unallocated extents are skipped).</param>
public sealed record ImportResult(long DataChunks, long NewChunks, long BytesRead);
