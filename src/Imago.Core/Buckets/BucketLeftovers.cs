using System.Globalization;

namespace Imago.Core.Buckets;

/// <summary>
/// What bucket operations leave in a region directory while they run, and the sweep that removes what dead
/// processes left: temp files of puts, and the staging directories of bucket creates and deletes.
/// <para>
/// A staging directory's name carries its start time (<c>.creating-UNIXMS-GUID</c>,
/// <c>.deleting-UNIXMS-GUID-BUCKET</c>): a renamed directory keeps its old mtime, so only the name says how long
/// the operation has been running. A stale delete that still holds objects (killed before it could rename the
/// bucket back) is renamed back, never removed.
/// </para>
/// </summary>
internal static class BucketLeftovers
{
    /// <summary>A leftover untouched this long (and, for a temp file, not locked by its writer) belongs to a dead process.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(1);

    private const string CreatingPrefix = ".creating-";
    private const string DeletingPrefix = ".deleting-";

    public static string CreatingName(DateTimeOffset now) => $"{CreatingPrefix}{now.ToUnixTimeMilliseconds()}-{Guid.NewGuid():N}";

    public static string DeletingName(DateTimeOffset now, string bucket) => $"{DeletingPrefix}{now.ToUnixTimeMilliseconds()}-{Guid.NewGuid():N}-{bucket}";

    /// <summary>Removes the leftovers under <paramref name="root"/> (DATA/buckets) that are stale at <paramref name="now"/>.</summary>
    public static void Sweep(string root, DateTimeOffset now, Func<string, bool> holdsObjects)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        var staleBefore = now - StaleAfter;
        foreach (var regionDirectory in Directory.EnumerateDirectories(root))
        {
            foreach (var directory in Directory.EnumerateDirectories(regionDirectory))
            {
                var name = Path.GetFileName(directory);
                if (name.StartsWith(CreatingPrefix, StringComparison.Ordinal))
                {
                    if (StartedBefore(name[CreatingPrefix.Length..], staleBefore))
                    {
                        TryDeleteDirectory(directory);
                    }
                }
                else if (name.StartsWith(DeletingPrefix, StringComparison.Ordinal))
                {
                    if (StartedBefore(name[DeletingPrefix.Length..], staleBefore))
                    {
                        FinishDelete(directory, name[DeletingPrefix.Length..], holdsObjects);
                    }
                }
                else if (Directory.Exists(Path.Combine(directory, "tmp")))
                {
                    foreach (var file in Directory.EnumerateFiles(Path.Combine(directory, "tmp")))
                    {
                        RemoveIfAbandoned(file, staleBefore.UtcDateTime);
                    }
                }
            }
        }
    }

    public static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static bool StartedBefore(string suffix, DateTimeOffset staleBefore)
    {
        var dash = suffix.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && long.TryParse(suffix.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var started)
            && started < staleBefore.ToUnixTimeMilliseconds();
    }

    /// <summary>An empty bucket a dead delete left is removed; one with objects goes back under its name if that is free.</summary>
    private static void FinishDelete(string directory, string suffix, Func<string, bool> holdsObjects)
    {
        if (!holdsObjects(directory))
        {
            TryDeleteDirectory(directory);
            return;
        }

        var parts = suffix.Split('-', 3);
        var bucket = Path.Combine(Path.GetDirectoryName(directory)!, parts.Length == 3 ? parts[2] : "");
        if (parts.Length == 3 && BucketNames.IsValid(parts[2]) && !Directory.Exists(bucket))
        {
            try
            {
                Directory.Move(directory, bucket);
            }
            catch (IOException)
            {
                // Taken meanwhile: the objects stay where they are for the operator.
            }
        }
    }

    private static void RemoveIfAbandoned(string path, DateTime staleBefore)
    {
        try
        {
            if (File.GetLastWriteTimeUtc(path) >= staleBefore)
            {
                return;
            }

            // Succeeds only when no writer holds the file's lock.
            using (File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
            }

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
