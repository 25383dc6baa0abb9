namespace Imago.Storage.IO;

/// <summary>Crash-safe file replacement: temp file, fsync, atomic rename, directory fsync.</summary>
internal static class DurableFile
{
    /// <summary>
    /// Writes <paramref name="data"/> to <paramref name="temporaryPath"/>, flushes it to stable storage and
    /// renames it over <paramref name="path"/>. The rename is durable only after the caller (or
    /// <paramref name="flushDirectory"/>) flushes the destination directory. Flushes go through <paramref name="sync"/>.
    /// </summary>
    public static async ValueTask WriteAsync(string path, string temporaryPath, ReadOnlyMemory<byte> data,
        bool flushDirectory, IStorageSync sync, CancellationToken cancellationToken)
    {
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                PreallocationSize = data.Length,
            };
            var stream = new FileStream(temporaryPath, options);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                sync.FlushFile(stream);
            }

            File.Move(temporaryPath, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporaryPath);
            throw;
        }

        if (flushDirectory)
        {
            sync.FlushDirectory(Path.GetDirectoryName(path)!);
        }
    }

    /// <summary>Writes a new file without flushing it (the caller flushes the file system before publishing it).</summary>
    public static async ValueTask WriteUnflushedAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous);
            await RandomAccess.WriteAsync(handle, data, 0, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            TryDelete(path);
            throw;
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
