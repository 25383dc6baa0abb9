using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Review;

public sealed class FailedZeroingTests
{
    private const int Chunk = 64 * 1024;

    [Theory]
    [InlineData(false)] // TRIM
    [InlineData(true)]  // WRITE_ZEROES
    public async Task A_whole_block_zeroing_that_fails_keeps_the_latest_write_of_that_block(bool writeZeroes)
    {
        // A block written since the last flush lives in a dirty buffer. Zeroing the whole block drops that buffer
        // and sets the zero reference in the map; when the map update fails (a page read fails, or the connection
        // is cancelled inside it), the block must still read as that latest write, never fall back to the older
        // committed content that no write ever put there last.
        await using var a = await ArmableStore.CreateAsync(Chunk, fanout: 4);
        await a.Store.CreateVolumeAsync("d-1", 1 << 20); // 16 blocks, pages of 4: a two-level map
        const int block = 5;
        var old = Patterns.Random(Chunk, 1);
        var latest = Patterns.Random(Chunk, 2);
        await using (var volume = await a.Store.OpenVolumeAsync("d-1"))
        {
            await volume.WriteAsync(block * Chunk, old);
        }

        await using var reopened = await a.Store.OpenVolumeAsync("d-1"); // no page cached yet
        await reopened.WriteAsync(block * Chunk, latest); // a whole chunk: buffered without reading the map
        a.Backend.FailNextGet(new IOException("transient read error"));
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            if (writeZeroes)
            {
                await reopened.WriteZeroesAsync(block * Chunk, Chunk);
            }
            else
            {
                await reopened.TrimAsync(block * Chunk, Chunk);
            }
        });

        var read = new byte[Chunk];
        await reopened.ReadAsync(block * Chunk, read);
        Assert.Equal(latest, read);
    }
}
