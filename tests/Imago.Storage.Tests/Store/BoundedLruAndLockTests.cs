using Imago.Storage.Caching;
using Imago.Storage.Volumes;

namespace Imago.Storage.Tests.Store;

public sealed class BoundedLruAndLockTests
{
    [Fact]
    public void The_least_recently_used_entry_is_evicted_past_the_capacity()
    {
        var lru = new BoundedLru<int, string>(3);
        lru.GetOrAdd(1, "one");
        lru.GetOrAdd(2, "two");
        lru.GetOrAdd(3, "three");
        Assert.True(lru.TryGet(1, out _)); // 1 is now the most recent: 2 is the oldest
        lru.GetOrAdd(4, "four");

        Assert.Equal(3, lru.Count);
        Assert.False(lru.TryGet(2, out _));
        Assert.True(lru.TryGet(1, out var one));
        Assert.Equal("one", one);
        Assert.True(lru.TryGet(3, out _));
        Assert.True(lru.TryGet(4, out _));
    }

    [Fact]
    public void Adding_a_present_key_keeps_the_first_value()
    {
        var lru = new BoundedLru<int, string>(2);
        Assert.Equal("first", lru.GetOrAdd(1, "first"));
        Assert.Equal("first", lru.GetOrAdd(1, "second"));
        Assert.True(lru.Remove(1, out var removed));
        Assert.Equal("first", removed);
        Assert.Equal(0, lru.Count);
    }

    [Fact]
    public async Task Readers_share_the_lock_and_a_writer_waits_for_them_then_excludes_new_readers()
    {
        var rw = new AsyncReaderWriterLock();
        await rw.EnterReadAsync(CancellationToken.None);
        await rw.EnterReadAsync(CancellationToken.None); // a second reader gets in while the first is inside

        var writer = rw.EnterWriteAsync(CancellationToken.None).AsTask();
        Assert.False(writer.IsCompleted);
        var lateReader = rw.EnterReadAsync(CancellationToken.None).AsTask(); // behind the waiting writer
        Assert.False(lateReader.IsCompleted);

        await rw.ExitReadAsync();
        Assert.False(writer.IsCompleted);
        await rw.ExitReadAsync();
        await writer; // the last reader out lets the writer in
        Assert.False(lateReader.IsCompleted);

        rw.ExitWrite();
        await lateReader;
        await rw.ExitReadAsync();
    }

    [Fact]
    public async Task A_cancelled_writer_leaves_the_lock_usable()
    {
        var rw = new AsyncReaderWriterLock();
        await rw.EnterReadAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var writer = rw.EnterWriteAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer);

        await rw.EnterReadAsync(CancellationToken.None); // readers are not blocked by the cancelled writer
        await rw.ExitReadAsync();
        await rw.ExitReadAsync();
        await rw.EnterWriteAsync(CancellationToken.None);
        rw.ExitWrite();
    }
}
