using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Review;

public sealed class FailedPageCommitTests
{
    private const int Chunk = 4096;

    [Fact]
    public async Task A_commit_that_fails_loading_a_parent_page_keeps_the_child_page_pending()
    {
        // Committing the map stores each changed page and then records its new hash in the parent page. When the
        // parent is not cached and reading it fails (an I/O error, or the flush's token cancelled inside the read),
        // the child must stay pending: marked clean, its change would never reach the root, and the next commit
        // would record the parent's old reference to it.
        await using var a = await ArmableStore.CreateAsync(Chunk, fanout: 4);
        const int blocks = 4096; // pages of 4: six levels, over a thousand leaf pages
        var latest = Patterns.Random(65 * Chunk, 2);
        await a.Store.CreateVolumeAsync("d-1", blocks * Chunk);
        await using (var volume = await a.Store.OpenVolumeAsync("d-1"))
        {
            await volume.WriteAsync(0, Patterns.Random(Chunk, 1));
            await volume.FlushAsync(); // block 0's pages now exist in the store

            // More than the 64 buffered chunks: stored at once, the leaf pages of blocks 0-64 become dirty.
            await volume.WriteAsync(0, latest);

            // Reading far from block 0 pushes the pages above its leaf out of the clean-page cache.
            var scratch = new byte[Chunk];
            for (var block = blocks - 1; block >= 1024; block--)
            {
                await volume.ReadAsync((long)block * Chunk, scratch);
            }

            a.Backend.FailNextGet(new IOException("transient read error"));
            await Assert.ThrowsAsync<IOException>(async () => await volume.FlushAsync());
            await volume.FlushAsync();
        }

        await a.ReopenAsync();
        await using var check = await a.Store.OpenVolumeAsync("d-1");
        var read = new byte[latest.Length];
        await check.ReadAsync(0, read);
        Assert.Equal(latest, read);
    }
}
