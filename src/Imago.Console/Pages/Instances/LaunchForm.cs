using System.Globalization;
using Imago.Core.Compute;
using Imago.Core.Errors;
using Microsoft.AspNetCore.Http;

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

    /// <summary>The posted <c>DataDisks[i].*</c> rows.</summary>
    public static List<DataDiskRow> ReadDataDisks(IFormCollection form) =>
        ReadRows(form, "DataDisks", MaxDataDisks, "DataDisk", "data disks", (DataDiskRow row, string field, string value) =>
        {
            switch (field)
            {
                case nameof(DataDiskRow.Size): row.Size = value; break;
                case nameof(DataDiskRow.Category): row.Category = value; break;
                case nameof(DataDiskRow.SnapshotId): row.SnapshotId = value; break;
                case nameof(DataDiskRow.DeleteWithInstance): row.DeleteWithInstance = value == "true"; break;
            }
        });

    /// <summary>The posted <c>Tags[i].*</c> rows.</summary>
    public static List<TagRow> ReadTags(IFormCollection form) =>
        ReadRows(form, "Tags", MaxTags, "Tag", "tags", (TagRow row, string field, string value) =>
        {
            switch (field)
            {
                case nameof(TagRow.Key): row.Key = value; break;
                case nameof(TagRow.Value): row.Value = value; break;
            }
        });

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

    /// <summary>
    /// Reads <c>{prefix}[i].{Field}</c> fields into rows by i, read here rather than by model binding: the collection
    /// binder silently drops every row after a gap, and a forged row number must be refused, not allocated.
    /// Missing row numbers are blank rows; of a field sent twice (a checkbox and its hidden "false") the first counts.
    /// </summary>
    private static List<T> ReadRows<T>(IFormCollection form, string prefix, int max, string parameter, string what, Action<T, string, string> set)
        where T : new()
    {
        var fields = new List<(int Index, string Field, string Value)>();
        foreach (var (name, values) in form)
        {
            if (!name.StartsWith(prefix + "[", StringComparison.Ordinal))
            {
                continue;
            }

            var close = name.IndexOf("].", prefix.Length, StringComparison.Ordinal);
            if (close < 0 || !int.TryParse(name.AsSpan(prefix.Length + 1, close - prefix.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                continue; // not a row field: ignored, like any unknown form field
            }

            if (index >= max)
            {
                throw EcsErrors.InvalidParameter(parameter, $"At most {max} {what} are allowed.");
            }

            fields.Add((index, name[(close + 2)..], values.FirstOrDefault() ?? ""));
        }

        var rows = new List<T>();
        foreach (var (index, field, value) in fields)
        {
            while (rows.Count <= index)
            {
                rows.Add(new T());
            }

            set(rows[index], field, value);
        }

        return rows;
    }

    private static int? SizeGiB(string? size, int index) =>
        string.IsNullOrWhiteSpace(size) ? null
        : int.TryParse(size.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var gib) ? gib
        : throw EcsErrors.InvalidParameter($"DataDisk.{index}.Size", "It must be an integer.");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
