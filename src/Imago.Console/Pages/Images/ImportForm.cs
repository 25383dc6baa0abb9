using Imago.Core.Importing;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Imago.WebConsole.Pages.Images;

/// <summary>
/// The import page's form: the image's attributes and one row per disk (row 0 the system disk, then data disks).
/// Bound by the model binder from the script's urlencoded POST, or filled field by field by
/// <see cref="ImportStreamReader"/> from the script-less multipart POST; both become one ImportImage request.
/// </summary>
public sealed class ImportForm
{
    /// <summary>Data-disk rows the page shows without script (script adds and removes rows).</summary>
    public const int DefaultDataRows = 2;

    /// <summary>Rows the form may carry: more than an image holds, so ImportImage itself refuses too many disks with
    /// its own message; beyond this a row is not a disk but a malformed form.</summary>
    public const int MaxRows = 32;

    public string? ImageName { get; set; }

    public string? Description { get; set; }

    public string? Platform { get; set; }

    public string? OSType { get; set; }

    public string? Architecture { get; set; }

    public List<ImportDiskRow> Disks { get; set; } = [];

    /// <summary>The system row plus at least <see cref="DefaultDataRows"/> data rows, so a script-less page can add data disks.</summary>
    public void PadRows()
    {
        while (Disks.Count < 1 + DefaultDataRows)
        {
            Disks.Add(new ImportDiskRow());
        }
    }

    /// <summary>
    /// ImportImage's request: the system row is always DiskDeviceMapping.1 (empty, it draws the API's
    /// MissingParameter); a data row counts only if it names an object (uploaded or already in the bucket), and the
    /// counted rows are numbered 2, 3, ... in the form's order. The service checks everything else.
    /// </summary>
    public ImportImageRequest ToRequest(string region)
    {
        var system = Disks.Count > 0 ? Disks[0] : new ImportDiskRow();
        var used = new[] { system }.Concat(Disks.Skip(1).Where(d => !string.IsNullOrWhiteSpace(d.ObjectKey)));
        var mappings = used.Select((row, i) => new ImportDiskRequest(i + 1, row.Bucket ?? "", Blank(row.ObjectKey) ?? "", Blank(row.Format), Blank(row.Size), null));
        return new ImportImageRequest(region, [.. mappings], ImageName: Blank(ImageName), Description: Blank(Description),
            Architecture: Blank(Architecture), OSType: Blank(OSType), Platform: Blank(Platform));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>One disk of the form: where its object is, its format (empty: detect) and DiskImageSize (GiB, empty: the image's).</summary>
public sealed class ImportDiskRow
{
    public string? Bucket { get; set; }

    /// <summary>The object to import; for an uploaded file, the name it is stored under (empty: the file's name).</summary>
    public string? ObjectKey { get; set; }

    public string? Format { get; set; }

    public string? Size { get; set; }

    /// <summary>What the script-less upload stored for this row (shown next to it if the import is then refused).</summary>
    [BindNever]
    public string? Uploaded { get; set; }
}
