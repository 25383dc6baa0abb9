using Imago.Storage.Chunks;

namespace Imago.Storage.Tree;

/// <summary>
/// One page of a block map: up to <c>fanout</c> chunk references. Stored as a chunk itself (content-addressed
/// and verified like data), as the references up to the last non-zero one, 32 bytes each: a sparse page
/// costs little, and an all-zero page is not stored at all (its parent holds the zero reference).
/// </summary>
internal sealed class Page
{
    private Page(ChunkHash[] entries) => Entries = entries;

    public ChunkHash[] Entries { get; }

    public bool Dirty { get; set; }

    public static Page Empty(int fanout) => new(new ChunkHash[fanout]);

    public static Page Parse(ChunkHash hash, ReadOnlySpan<byte> bytes, int fanout)
    {
        if (bytes.Length % ChunkHash.Size != 0 || bytes.Length > fanout * ChunkHash.Size)
        {
            throw new ChunkCorruptException(hash, $"is not a valid page ({bytes.Length} bytes for at most {fanout} references)");
        }

        var entries = new ChunkHash[fanout];
        for (var i = 0; i < bytes.Length / ChunkHash.Size; i++)
        {
            entries[i] = ChunkHash.Read(bytes[(i * ChunkHash.Size)..]);
        }

        return new Page(entries);
    }

    /// <summary>The stored form; empty when every reference is zero.</summary>
    public byte[] Serialize()
    {
        var used = Array.FindLastIndex(Entries, e => !e.IsZero) + 1;
        var bytes = new byte[used * ChunkHash.Size];
        for (var i = 0; i < used; i++)
        {
            Entries[i].Write(bytes.AsSpan(i * ChunkHash.Size));
        }

        return bytes;
    }
}
