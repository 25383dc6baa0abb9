using Imago.Core.Compute;
using Imago.Core.Images;
using Imago.Data.Entities;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Instances;

/// <summary>The Instances list (DescribeInstances) with Start and Stop (StartInstance, StopInstance).</summary>
public sealed class IndexModel(InstanceQueries queries, InstanceService instances, ImageQueries images, InstanceTypeCatalog instanceTypes) : ListPageModel
{
    [BindProperty]
    public string? InstanceId { get; set; }

    [BindProperty]
    public string? ImageId { get; set; }

    [BindProperty]
    public string? InstanceType { get; set; }

    [BindProperty]
    public int? SystemDiskSize { get; set; }

    public Page<InstanceDetails>? Result { get; private set; }

    public IReadOnlyList<ImageEntity> ImageChoicesList { get; private set; } = [];

    public IEnumerable<InstanceTypeInfo> InstanceTypes => instanceTypes.All.OrderBy(t => t.InstanceTypeId, StringComparer.Ordinal);

    public async Task OnGetAsync()
    {
        Result = await ReadAsync(() => queries.DescribeAsync(Caller, new InstanceFilter { RegionId = Region }, new PageRequest(PageNumber, PageSize),
                HttpContext.RequestAborted));
        ImageChoicesList = await ImageChoices.LoadAsync(images, Caller, Region, HttpContext.RequestAborted);
    }

    /// <summary>CreateInstance with the image, type and system disk size chosen (the Core service checks that they fit).</summary>
    public async Task<IActionResult> OnPostCreateAsync()
    {
        string? instanceId = null;
        return await ActAsync(async () => instanceId = await instances.CreateInstanceAsync(Caller, new LaunchRequest
            {
                RegionId = Region,
                ImageId = ImageId ?? "",
                InstanceType = string.IsNullOrEmpty(InstanceType) ? null : InstanceType,
                SystemDisk = new SystemDiskOptions(SizeGiB: SystemDiskSize),
            }, HttpContext.RequestAborted),
            "", () =>
            {
                Notice = $"Instance {instanceId} created (Stopped).";
                return Redirect($"/console/instances/{Uri.EscapeDataString(instanceId!)}");
            }, ReloadAsync);
    }

    public Task<IActionResult> OnPostStartAsync() =>
        ActAsync(() => instances.StartInstanceAsync(Caller, Region, InstanceId ?? "", dryRun: false, HttpContext.RequestAborted),
            $"Instance {InstanceId} started.", () => Redirect("/console/instances"), ReloadAsync);

    public Task<IActionResult> OnPostStopAsync() =>
        ActAsync(() => instances.StopInstanceAsync(Caller, Region, InstanceId ?? "", dryRun: false, HttpContext.RequestAborted),
            $"Instance {InstanceId} stopped.", () => Redirect("/console/instances"), ReloadAsync);

    /// <summary>DeleteInstance without Force: a Running instance is refused with the API's message (stop it first).</summary>
    public Task<IActionResult> OnPostDeleteAsync() =>
        ActAsync(() => instances.DeleteInstanceAsync(Caller, Region, InstanceId ?? "", force: false, dryRun: false, HttpContext.RequestAborted),
            $"Instance {InstanceId} deleted.", () => Redirect("/console/instances"), ReloadAsync);

    public static string Link(int page) => page > 1 ? $"/console/instances?page={page}" : "/console/instances";

    public static bool CanStart(InstanceEntity instance) => instance.Status == InstanceStatuses.Stopped;

    public static bool CanStop(InstanceEntity instance) => instance.Status == InstanceStatuses.Running;

    private async Task<IActionResult> ReloadAsync()
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        await OnGetAsync();
        return Page();
    }
}
