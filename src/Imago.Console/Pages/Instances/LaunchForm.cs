using System.Globalization;
using Imago.Core.Compute;
using Imago.Core.Errors;

namespace Imago.WebConsole.Pages.Instances;

/// <summary>One data disk row of the create form (<c>DataDisks[i].*</c>); row i is the API's <c>DataDisk.{i+1}</c>.</summary>
public sealed class DataDiskRow
{
    /// <summary>GiB as typed (parsed here, so a malformed size is refused like the API's, not silently dropped).</summary>
    public string? Size { get; set; }

    public string? Category { get; set; }

    public string? SnapshotId { get; set; }

    public bool DeleteWithInstance { get; set; } = true;

    /// <summary>A row with neither a size nor a snapshot asks for no disk (the fixed rows a form without script shows).</summary>
    public bool IsBlank => string.IsNullOrWhiteSpace(Size) && string.IsNullOrEmpty(SnapshotId);
}

/// <summary>One tag row of the create form (<c>Tags[i].*</c>); row i is the API's <c>Tag.{i+1}</c>.</summary>
public sealed class TagRow
{
    public string? Key { get; set; }

    public string? Value { get; set; }

    public bool IsBlank => string.IsNullOrEmpty(Key) && string.IsNullOrEmpty(Value);
}

/// <summary>
/// Turns the create form's rows into the <see cref="LaunchRequest"/> parts RunInstances' parameters would give:
/// blank rows are skipped, every other row keeps its number (so a refusal's <c>DataDisk.2.Size</c> names the row
/// labelled "Data disk 2"), and the checks the API makes while reading parameters are made here with its messages.
/// Everything else (sizes, categories, snapshots, tag rules) the Core service decides.
/// </summary>
public static class LaunchForm
{
    /// <summary>RunInstances' limit on DataDisk.N.</summary>
    public const int MaxDataDisks = 16;

    /// <summary>RunInstances' limit on Tag.N.</summary>
    public const int MaxTags = 20;

    /// <summary>Rows shown without script (with script, rows are added and removed up to the limits).</summary>
    public const int FixedRows = 4;

    public static IReadOnlyList<DataDiskOptions> DataDisks(IReadOnlyList<DataDiskRow> rows)
    {
        var disks = new List<DataDiskOptions>();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row.IsBlank)
            {
                continue;
            }

            var index = i + 1;
            disks.Add(new DataDiskOptions(index, SizeGiB(row.Size, index), Blank(row.SnapshotId), Blank(row.Category),
                DeleteWithInstance: row.DeleteWithInstance));
        }

        return disks.Count <= MaxDataDisks ? disks : throw EcsErrors.InvalidParameter("DataDisk", $"At most {MaxDataDisks} data disks are allowed.");
    }

    public static IReadOnlyList<KeyValuePair<string, string>> Tags(IReadOnlyList<TagRow> rows)
    {
        var tags = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row.IsBlank)
            {
                continue;
            }

            // As the API reads Tag.N: a value without its key is a missing key.
            var key = string.IsNullOrEmpty(row.Key) ? throw EcsErrors.MissingParameter($"Tag.{i + 1}.Key") : row.Key;
            tags.Add(new KeyValuePair<string, string>(key, row.Value ?? ""));
        }

        return tags.Count <= MaxTags ? tags : throw EcsErrors.InvalidParameter("Tag", $"At most {MaxTags} tags are allowed.");
    }

    /// <summary>Pads the rows to <see cref="FixedRows"/> for display; a posted form keeps every row it sent.</summary>
    public static List<T> Padded<T>(IEnumerable<T> rows, Func<T> blank)
    {
        var list = rows.ToList();
        while (list.Count < FixedRows)
        {
            list.Add(blank());
        }

        return list;
    }

    private static int? SizeGiB(string? size, int index) =>
        string.IsNullOrWhiteSpace(size) ? null
        : int.TryParse(size.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var gib) ? gib
        : throw EcsErrors.InvalidParameter($"DataDisk.{index}.Size", "It must be an integer.");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
