namespace Imago.Serve;

/// <summary>
/// <c>DATA/imago.lock</c>, held exclusively for the life of an <c>imago serve</c>: a second serve on the same
/// data directory fails at once instead of sharing the block stores and the database with the first. The
/// lock is an advisory flock (what .NET's FileShare.None is on Unix), released by the kernel when the process
/// dies, so a crash never leaves a stale lock behind.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "imago.lock";

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        FileStream file;
        try
        {
            file = new FileStream(Path.Combine(dataDirectory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new IOException($"the data directory {dataDirectory} is in use by another imago serve ({FileName} is locked)");
        }

        // The holder's pid, for an operator wondering who holds it; the lock itself is the flock.
        file.SetLength(0);
        file.Write(System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
        file.Flush();
        return new DataDirectoryLock(file);
    }

    public void Dispose() => _file.Dispose();
}
