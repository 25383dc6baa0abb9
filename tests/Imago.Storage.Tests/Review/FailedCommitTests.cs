using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Review;

/// <summary>
/// A volume commit that fails after the map's pages were stored but before the root record is written (a flush
/// error, or a cancellation while waiting for the flush or the metadata lock) must leave the writes pending:
/// the next flush, or closing the volume, has to write the record, or acknowledged writes are silently lost.
/// </summary>
public sealed class FailedCommitTests
{
    private const int Chunk = 64 * 1024;

    [Theory]
    [InlineData(false)] // a transient I/O error in the chunk flush
    [InlineData(true)]  // the caller's token cancelled inside the commit (an NBD connection dropped mid-FLUSH)
    public async Task Flush_retried_after_a_failed_commit_makes_the_writes_durable(bool cancelled)
    {
        await using var a = await ArmableStore.CreateAsync(Chunk);
        var data = Patterns.Random(3 * Chunk, 1);
        await a.Store.CreateVolumeAsync("d-1", 1 << 20);
        await using (var volume = await a.Store.OpenVolumeAsync("d-1"))
        {
            await volume.WriteAsync(Chunk, data);
            a.Backend.FailNextFlush(cancelled ? new OperationCanceledException() : new IOException("transient"));
            await Assert.ThrowsAnyAsync<Exception>(async () => await volume.FlushAsync());

            await volume.FlushAsync(); // reports success: the writes must now be in the record
        }

        await a.ReopenAsync();
        await using var check = await a.Store.OpenVolumeAsync("d-1");
        var read = new byte[data.Length];
        await check.ReadAsync(Chunk, read);
        Assert.Equal(data, read);
        Assert.True((await a.Store.ScrubAsync()).IsClean);
    }

    [Fact]
    public async Task Closing_a_volume_after_a_failed_commit_writes_its_record()
    {
        await using var a = await ArmableStore.CreateAsync(Chunk);
        var data = Patterns.Random(Chunk, 2);
        await a.Store.CreateVolumeAsync("d-1", 1 << 20);
        var volume = await a.Store.OpenVolumeAsync("d-1");
        await volume.WriteAsync(0, data);
        a.Backend.FailNextFlush(new IOException("transient"));
        await Assert.ThrowsAsync<IOException>(async () => await volume.FlushAsync());
        await volume.DisposeAsync(); // commits what is pending

        await a.ReopenAsync();
        await using var check = await a.Store.OpenVolumeAsync("d-1");
        var read = new byte[data.Length];
        await check.ReadAsync(0, read);
        Assert.Equal(data, read);
    }
}
