namespace Imago.Storage.IO;

/// <summary>
/// Fail-stop after a failed flush. When fsync or syncfs fails, Linux may already have dropped the dirty pages
/// (marking them clean), so a retried flush can "succeed" over data that never reached the disk; committing a
/// record after it would name chunks that are not there. So the first failed flush stops the store: it and every
/// later flush, commit, write or import fail with a <see cref="StoreException"/>, reads go on, and only reopening
/// the store (after someone checked the disk) clears it. One per open store, never shared.
/// </summary>
internal sealed class FailStopSync(IStorageSync inner, string storeDirectory) : IStorageSync
{
    private string? _failure; // what failed first; null while healthy

    public bool IsStopped => Volatile.Read(ref _failure) is not null;

    public void ThrowIfStopped()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw StoppedError(failure, null);
        }
    }

    public void FlushFile(FileStream file) => Guard($"fsync of {file.Name}", () => inner.FlushFile(file));

    public void FlushDirectory(string path) => Guard($"fsync of directory {path}", () => inner.FlushDirectory(path));

    public void FlushFileSystem(string path) => Guard($"syncfs of {path}", () => inner.FlushFileSystem(path));

    private void Guard(string what, Action flush)
    {
        ThrowIfStopped();
        try
        {
            flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var failure = $"{what} failed ({e.Message})";
            Interlocked.CompareExchange(ref _failure, failure, null);
            throw StoppedError(Volatile.Read(ref _failure)!, e);
        }
    }

    private StoreException StoppedError(string failure, Exception? inner) =>
        new($"the store {storeDirectory} stopped accepting writes because {failure}: data written since the last " +
            "successful flush may not be on disk; check the disk, then reopen the store", inner);
}
