using Imago.Core.Compute;
using Imago.Core.Errors;
using Imago.Core.Images;
using Imago.Core.Regions;
using Imago.Core.Snapshots;
using Imago.Data.Entities;
using Microsoft.AspNetCore.Http;
using Imago.WebConsole.Pages.Shared;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Instances;

/// <summary>
/// Create instances (the Instances page's "Create instance", an image page's "Create instance" with its image chosen):
/// image, type, zone (the region's zones, as DescribeZones lists them), name, description, host name, system disk,
/// data disks (empty or from one of the caller's snapshots), tags and a number of instances, through the same
/// InstanceService RunInstances and CreateInstance use. Stopped unless "Start" is ticked (then RunInstances).
/// </summary>
public sealed class CreateModel(InstanceService instances, ImageQueries images, SnapshotQueries snapshots, InstanceTypeCatalog instanceTypes,
    RegionCatalog regions) : ConsolePageModel
{
    /// <summary>How many of the caller's snapshots a data disk row offers (newest first).</summary>
    private const int MaxSnapshotChoices = 100;

    /// <summary>The notice after creating several instances names this many (the list then shows them all).</summary>
    private const int MaxIdsInNotice = 10;

    [BindProperty(SupportsGet = true)]
    public string? ImageId { get; set; }

    [BindProperty]
    public string? InstanceType { get; set; }

    [BindProperty]
    public string? ZoneId { get; set; }

    [BindProperty]
    public string? InstanceName { get; set; }

    [BindProperty]
    public string? Description { get; set; }

    [BindProperty]
    public string? HostName { get; set; }

    /// <summary>Text, read as the API reads SystemDisk.Size (<see cref="FormNumbers"/>).</summary>
    [BindProperty]
    public string? SystemDiskSize { get; set; }

    [BindProperty]
    public string? SystemDiskCategory { get; set; }

    /// <summary>Read from the form by <see cref="LaunchForm"/> (not model-bound: see ReadRows).</summary>
    public List<DataDiskRow> DataDisks { get; private set; } = [];

    public List<TagRow> Tags { get; private set; } = [];

    /// <summary>Text, read as the API reads Amount (<see cref="FormNumbers"/>).</summary>
    [BindProperty]
    public string? Amount { get; set; } = "1";

    [BindProperty]
    public bool Start { get; set; }

    public IReadOnlyList<ImageEntity> ImageChoicesList { get; private set; } = [];

    public IReadOnlyList<SnapshotEntity> SnapshotChoices { get; private set; } = [];

    public IReadOnlyList<ZoneInfo> Zones => regions.Find(Region)?.Zones ?? [];

    public IEnumerable<InstanceTypeInfo> InstanceTypes => instanceTypes.All.OrderBy(t => t.InstanceTypeId, StringComparer.Ordinal);

    /// <summary>The image chosen by the link that opened the form, when the choices (Available, at most 100) lack it; Core decides.</summary>
    public bool ImageMissingFromChoices => !string.IsNullOrEmpty(ImageId) && ImageChoicesList.All(i => i.Id != ImageId);

    public async Task OnGetAsync()
    {
        if (ImageId is { Length: > 128 })
        {
            ImageId = null;
        }

        await LoadAsync();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        string[] created = [];
        return await ActAsync(async () => created = await LaunchAsync(), "", () =>
            {
                var state = Start ? "Running" : "Stopped";
                if (created.Length == 1)
                {
                    Notice = $"Instance {created[0]} created ({state}).";
                    return Redirect($"/console/instances/{Uri.EscapeDataString(created[0])}");
                }

                var more = created.Length > MaxIdsInNotice ? $" and {created.Length - MaxIdsInNotice} more" : "";
                Notice = $"{created.Length} instances created ({state}): {string.Join(", ", created.Take(MaxIdsInNotice))}{more}.";
                return Redirect("/console/instances");
            }, async () =>
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
                await LoadAsync();
                return Page();
            });
    }

    private async Task<string[]> LaunchAsync()
    {
        var amount = FormNumbers.OptionalInt(Amount, "Amount", 1, 100) ?? 1;
        var systemDiskSize = FormNumbers.OptionalInt(SystemDiskSize, "SystemDisk.Size");
        DataDisks = LaunchForm.ReadDataDisks(Request.Form);
        Tags = LaunchForm.ReadTags(Request.Form);
        var request = new LaunchRequest
        {
            RegionId = Region,
            ImageId = Text(ImageId),
            InstanceType = Text(InstanceType),
            ZoneId = Text(ZoneId),
            Amount = amount,
            InstanceName = Text(InstanceName),
            Description = Text(Description),
            HostName = Text(HostName),
            SystemDisk = new SystemDiskOptions(Text(SystemDiskCategory), systemDiskSize),
            DataDisks = LaunchForm.DataDisks(DataDisks),
            Tags = LaunchForm.Tags(Tags),
        };
        var result = Start
            ? await instances.RunInstancesAsync(Caller, request, HttpContext.RequestAborted)
            : await instances.CreateInstancesAsync(Caller, request, HttpContext.RequestAborted);
        return result.InstanceIds;
    }

    private async Task LoadAsync()
    {
        DataDisks = LaunchForm.Padded(DataDisks, () => new DataDiskRow());
        Tags = LaunchForm.Padded(Tags, () => new TagRow());
        ImageChoicesList = await ImageChoices.LoadAsync(images, Caller, Region, HttpContext.RequestAborted);
        var accomplished = await snapshots.ListAsync(Caller, Region,
            new SnapshotQuery(Status: SnapshotStatuses.Accomplished, Paging: new PageRequest(1, MaxSnapshotChoices)), HttpContext.RequestAborted);
        SnapshotChoices = [.. accomplished.Items.Select(v => v.Snapshot)];
    }


    /// <summary>An empty field is an absent parameter, as in a query string.</summary>
    private static string? Text(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
