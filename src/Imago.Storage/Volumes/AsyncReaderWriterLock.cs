namespace Imago.Storage.Volumes;

/// <summary>
/// An async reader/writer lock: any number of readers at once, or one writer alone. Writers take precedence
/// (a waiting writer stops new readers at the turnstile), so a steady stream of reads cannot starve a flush.
/// </summary>
/// <remarks>
/// The classic turnstile construction on three semaphores: <c>_turnstile</c> orders writers before later
/// readers, <c>_roomEmpty</c> is held by the writer or by the readers as a group (the first in takes it, the
/// last out returns it), <c>_readerCount</c> guards the count of readers inside.
/// </remarks>
internal sealed class AsyncReaderWriterLock
{
    private readonly SemaphoreSlim _turnstile = new(1, 1);
    private readonly SemaphoreSlim _roomEmpty = new(1, 1);
    private readonly SemaphoreSlim _readerCount = new(1, 1);
    private int _readers;

    public async ValueTask EnterReadAsync(CancellationToken cancellationToken)
    {
        await _turnstile.WaitAsync(cancellationToken).ConfigureAwait(false);
        _turnstile.Release();
        await _readerCount.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_readers == 0)
            {
                await _roomEmpty.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            _readers++;
        }
        finally
        {
            _readerCount.Release();
        }
    }

    public async ValueTask ExitReadAsync()
    {
        // Not cancellable: a reader that got in must always get out, or writers would wait forever.
        await _readerCount.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (--_readers == 0)
            {
                _roomEmpty.Release();
            }
        }
        finally
        {
            _readerCount.Release();
        }
    }

    public async ValueTask EnterWriteAsync(CancellationToken cancellationToken)
    {
        await _turnstile.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _roomEmpty.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _turnstile.Release();
            throw;
        }
    }

    public void ExitWrite()
    {
        _roomEmpty.Release();
        _turnstile.Release();
    }
}
