namespace Imago.Storage.IO;

/// <summary>
/// Every flush to stable storage the store makes, behind one seam: a real fsync error cannot be provoked on
/// demand, so tests substitute one that counts calls or fails; the store wraps it in <see cref="FailStopSync"/>.
/// </summary>
internal interface IStorageSync
{
    /// <summary>fsync of an open file's data and metadata.</summary>
    void FlushFile(FileStream file);

    /// <summary>fsync of a directory: makes the names created, renamed or removed in it durable.</summary>
    void FlushDirectory(string path);

    /// <summary>syncfs: everything written to the file system holding <paramref name="path"/>.</summary>
    void FlushFileSystem(string path);
}

/// <summary>The real flushes (stateless, so one shared instance).</summary>
internal sealed class NativeStorageSync : IStorageSync
{
    public static NativeStorageSync Instance { get; } = new();

    public void FlushFile(FileStream file) => file.Flush(flushToDisk: true);

    public void FlushDirectory(string path) => NativeSync.FlushDirectory(path);

    public void FlushFileSystem(string path) => NativeSync.FlushFileSystem(path);
}
