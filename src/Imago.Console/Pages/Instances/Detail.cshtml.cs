using Imago.Core.Compute;
using Imago.Core.Errors;
using Imago.Core.Images;
using Imago.Core.Snapshots;
using Imago.Data.Entities;
using Microsoft.AspNetCore.Http;
using Imago.WebConsole.Pages.Shared;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Instances;

/// <summary>
/// One instance of the caller (InstanceQueries: another account's instance is the API's InvalidInstanceId.NotFound,
/// a 404) with its disks, and its actions: stop/start, replace the system disk, snapshot a disk.
/// </summary>
public sealed class DetailModel(InstanceQueries queries, InstanceService instances, DiskService disks, SnapshotService snapshots,
    ImageQueries images) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)]
    public string InstanceId { get; set; } = "";

    [BindProperty]
    public string? ImageId { get; set; }

    /// <summary>ReplaceSystemDisk's SystemDisk.Size as typed (read by FormNumbers, so a malformed size is refused).</summary>
    [BindProperty]
    public string? SizeGiB { get; set; }

    [BindProperty]
    public string? DiskId { get; set; }

    [BindProperty]
    public string? SnapshotName { get; set; }

    public InstanceDetails? Details { get; private set; }

    public IReadOnlyList<DiskEntity> Disks { get; private set; } = [];

    public IReadOnlyList<ImageEntity> ImageChoicesList { get; private set; } = [];

    private string SelfUrl => $"/console/instances/{Uri.EscapeDataString(InstanceId)}";

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFoundPage(EcsErrors.InstanceNotFound(InstanceId));

    public Task<IActionResult> OnPostStartAsync() =>
        ActAsync(() => instances.StartInstanceAsync(Caller, Region, InstanceId, dryRun: false, HttpContext.RequestAborted),
            $"Instance {InstanceId} started.", () => Redirect(SelfUrl), ReloadAsync);

    public Task<IActionResult> OnPostStopAsync() =>
        ActAsync(() => instances.StopInstanceAsync(Caller, Region, InstanceId, dryRun: false, HttpContext.RequestAborted),
            $"Instance {InstanceId} stopped.", () => Redirect(SelfUrl), ReloadAsync);

    /// <summary>ReplaceSystemDisk: the API's refusal (IncorrectInstanceStatus) is shown for an instance that is not Stopped.</summary>
    public async Task<IActionResult> OnPostReplaceAsync()
    {
        string? diskId = null;
        return await ActAsync(async () => diskId = await instances.ReplaceSystemDiskAsync(Caller,
                new ReplaceSystemDiskRequest
                {
                    RegionId = Region, InstanceId = InstanceId, ImageId = ImageId ?? "",
                    SizeGiB = FormNumbers.OptionalInt(SizeGiB, "SystemDisk.Size"),
                },
                HttpContext.RequestAborted),
            "", () =>
            {
                Notice = $"System disk replaced by {diskId} from image {ImageId}.";
                return Redirect(SelfUrl);
            }, ReloadAsync);
    }

    /// <summary>CreateSnapshot of one of the instance's disks (the snapshot then appears on the Snapshots page).</summary>
    public async Task<IActionResult> OnPostSnapshotAsync()
    {
        string? snapshotId = null;
        return await ActAsync(async () => snapshotId = await snapshots.CreateAsync(Caller,
                new CreateSnapshotRequest(Region, DiskId ?? "", string.IsNullOrWhiteSpace(SnapshotName) ? null : SnapshotName.Trim()),
                HttpContext.RequestAborted),
            "", () =>
            {
                Notice = $"Snapshot {snapshotId} of disk {DiskId} is being created (see Snapshots).";
                return Redirect(SelfUrl);
            }, ReloadAsync);
    }

    public static bool CanStart(InstanceEntity instance) => instance.Status == InstanceStatuses.Stopped;

    public static bool CanStop(InstanceEntity instance) => instance.Status == InstanceStatuses.Running;

    private async Task<IActionResult> ReloadAsync()
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return await LoadAsync() ? Page() : NotFoundPage(EcsErrors.InstanceNotFound(InstanceId));
    }

    private async Task<bool> LoadAsync()
    {
        if (InstanceId.Length is 0 or > 128)
        {
            return false;
        }

        var page = await queries.DescribeAsync(Caller, new InstanceFilter { RegionId = Region, InstanceIds = [InstanceId] }, new PageRequest(1, 1),
            HttpContext.RequestAborted);
        Details = page.Items.FirstOrDefault();
        if (Details is null)
        {
            return false;
        }

        var attached = await disks.DescribeAsync(Caller, new DiskFilter { RegionId = Region, InstanceId = InstanceId }, new PageRequest(1, 100),
            HttpContext.RequestAborted);
        Disks = [.. attached.Items.Select(d => d.Disk).OrderBy(d => d.Type == DiskTypes.System ? 0 : 1).ThenBy(d => d.Device)];
        ImageChoicesList = await ImageChoices.LoadAsync(images, Caller, Region, HttpContext.RequestAborted);
        return true;
    }
}
