namespace Imago.Core.Exporting;

/// <summary>
/// Where qcow2 and VHD exports are written before they are put into the bucket (their writers need a seekable
/// file): <c>DATA/exports/TASKID/</c>, one directory per task. A run starts by removing its task's directory
/// (what an interrupted run left) and removes it when it ends, however it ends; opening the staging area removes
/// everything in it, since no task runs before the service has started (one process owns the data directory).
/// </summary>
public sealed class ExportStaging
{
    private readonly string _root;

    private ExportStaging(string root) => _root = root;

    public static ExportStaging Open(string dataDirectory)
    {
        var staging = new ExportStaging(Path.Combine(Path.GetFullPath(dataDirectory), "exports"));
        if (Directory.Exists(staging._root))
        {
            foreach (var leftover in Directory.EnumerateDirectories(staging._root))
            {
                TryDelete(leftover);
            }
        }

        return staging;
    }

    /// <summary>A fresh, empty directory for <paramref name="taskId"/> (task ids are <c>t-</c> and letters/digits: never a path).</summary>
    public string Prepare(string taskId)
    {
        var directory = DirectoryOf(taskId);
        TryDelete(directory);
        Directory.CreateDirectory(directory);
        return directory;
    }

    public void Discard(string taskId) => TryDelete(DirectoryOf(taskId));

    /// <summary>Whether anything of <paramref name="taskId"/> is staged (for tests and checks).</summary>
    public bool Holds(string taskId) => Directory.Exists(DirectoryOf(taskId));

    private string DirectoryOf(string taskId) =>
        taskId.Length > 0 && taskId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? Path.Combine(_root, taskId)
            : throw new ArgumentException($"'{taskId}' is not a task id", nameof(taskId));

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Removed at the next start at the latest.
        }
    }
}
