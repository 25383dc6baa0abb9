using Imago.Storage.IO;

namespace Imago.Storage.Tests.Review;

/// <summary>The kinds of flush to stable storage the store makes.</summary>
public enum SyncKind
{
    File,
    Directory,
    FileSystem,
}

/// <summary>
/// Real flushes, counted, whose next call of one kind can be made to fail once (what an fsync EIO looks like to
/// the store: an <see cref="IOException"/>), since a real fsync error cannot be provoked on demand.
/// </summary>
internal sealed class ScriptedSync : IStorageSync
{
    private readonly Lock _gate = new();
    private readonly List<(SyncKind Kind, string Path)> _calls = [];
    private SyncKind? _failNext;

    /// <summary>Every flush made (including the one that failed), in order.</summary>
    public IReadOnlyList<(SyncKind Kind, string Path)> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public void FailNext(SyncKind kind)
    {
        lock (_gate)
        {
            _failNext = kind;
        }
    }

    public void ClearCalls()
    {
        lock (_gate)
        {
            _calls.Clear();
        }
    }

    public void FlushFile(FileStream file)
    {
        Record(SyncKind.File, file.Name);
        NativeStorageSync.Instance.FlushFile(file);
    }

    public void FlushDirectory(string path)
    {
        Record(SyncKind.Directory, path);
        NativeStorageSync.Instance.FlushDirectory(path);
    }

    public void FlushFileSystem(string path)
    {
        Record(SyncKind.FileSystem, path);
        NativeStorageSync.Instance.FlushFileSystem(path);
    }

    private void Record(SyncKind kind, string path)
    {
        lock (_gate)
        {
            _calls.Add((kind, path));
            if (_failNext == kind)
            {
                _failNext = null;
                throw new IOException($"injected: {kind} flush of {path} failed (EIO)");
            }
        }
    }
}
