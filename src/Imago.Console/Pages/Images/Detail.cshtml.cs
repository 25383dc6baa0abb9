using Imago.Core.Billing;
using Imago.Core.Buckets;
using Imago.Core.Compute;
using Imago.Core.Copying;
using Imago.Core.Errors;
using Imago.Core.Exporting;
using Imago.Core.Images;
using Imago.Core.Importing;
using Imago.Core.Regions;
using Imago.Core.Sharing;
using Imago.Core.Tasks;
using Imago.Data.Entities;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Images;

/// <summary>
/// One image as its viewer may see it (ImageAccess through ImageQueries: another account's unshared image is the
/// API's InvalidImageId.NotFound, a 404), and the actions on it, each through the Core service its API action uses.
/// </summary>
public sealed class DetailModel(ImageQueries queries, ImageChanges changes, ImageSharing sharing, CopyImageService copies,
    RegionCatalog regions, ImageExportService exports, IBucketStore buckets, TaskQueries tasks, TaskRunner runner, ImageFees fees) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)]
    public string ImageId { get; set; } = "";

    [BindProperty]
    public string? ShareAccount { get; set; }

    [BindProperty]
    public bool Force { get; set; }

    [BindProperty]
    public string? DestinationRegionId { get; set; }

    [BindProperty]
    public string? EditName { get; set; }

    [BindProperty]
    public string? EditDescription { get; set; }

    [BindProperty]
    public string? EditFamily { get; set; }

    [BindProperty]
    public string? EditBootMode { get; set; }

    [BindProperty]
    public string? EditNvmeSupport { get; set; }

    [BindProperty]
    public string? EditImdsSupport { get; set; }

    /// <summary>BYOL, or empty for "leave unchanged": the API accepts only BYOL and cannot clear a licence type.</summary>
    [BindProperty]
    public string? EditLicenseType { get; set; }

    [BindProperty]
    public string? DestinationImageName { get; set; }

    [BindProperty]
    public string? ExportFormat { get; set; }

    [BindProperty]
    public string? ExportBucket { get; set; }

    [BindProperty]
    public string? ExportPrefix { get; set; }

    public ImageView? View { get; private set; }

    /// <summary>The buckets the caller may export into (its own and the operator's: BucketAccess.MayUse).</summary>
    public IReadOnlyList<BucketInfo> Buckets { get; private set; } = [];

    /// <summary>ExportImage applies to one's own Available custom image that is not from the image market.</summary>
    public bool CanExport => IsOwn && View?.Image is { Kind: ImageKinds.Custom, Status: ImageStatuses.Available, ProductCode.Length: 0 };

    public ImageSharePage? Shares { get; private set; }

    /// <summary>What the image costs the viewer per month (ImageFees: the ledger's prices and rules).</summary>
    public ImageFeeQuote? Fees { get; private set; }

    /// <summary>Why the image's creation failed (its latest failed task's reason, as DescribeTasks reports it).</summary>
    public string? FailedReason { get; private set; }

    /// <summary>The running ImportImage task of one's own Creating image: the page offers Cancel (CancelTask).</summary>
    public string? ImportTaskId { get; private set; }

    public bool IsOwn => View?.OwnerAlias == ImageOwnerAliases.Self;

    /// <summary>A copy still transferring: the page polls its progress and offers Cancel (CancelCopyImage).</summary>
    public bool IsCopying => View?.Image is { IsCopied: true, Status: ImageStatuses.Creating or ImageStatuses.Waiting };

    /// <summary>Work still running on the image (a copy, an import, a creation): the page polls its progress.</summary>
    public bool IsWorking => View?.Image.Status is ImageStatuses.Creating or ImageStatuses.Waiting;

    /// <summary>
    /// Where CopyImage may put a copy: one's own Available custom image anywhere (other regions first, then this one:
    /// a same-region copy is an independent image), one shared with the caller only in this region (the API's
    /// OperationDenied.SameRegionOnly). Public and Marketplace images are not copied.
    /// </summary>
    public IReadOnlyList<string> CopyRegions => View?.Image is not { Kind: ImageKinds.Custom, Status: ImageStatuses.Available }
        ? []
        : IsOwn
            ? [.. regions.RegionIds.Where(r => r != Region), Region]
            : View.OwnerAlias == ImageOwnerAliases.Others ? [Region] : [];

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFoundPage(EcsErrors.ImageNotFound(ImageId));

    public Task<IActionResult> OnPostDeprecateAsync() => SetStatusAsync(ImageStatuses.Deprecated, "The image is deprecated: new instances cannot be created from it.");

    public Task<IActionResult> OnPostRestoreAsync() => SetStatusAsync(ImageStatuses.Available, "The image is available again.");

    public Task<IActionResult> OnPostDeleteAsync() =>
        ActAsync(() => changes.DeleteAsync(Caller, Region, ImageId, Force, dryRun: false, HttpContext.RequestAborted),
            $"Image {ImageId} deleted.", () => Redirect("/console/images?tab=custom"), ReloadAsync);

    /// <summary>ModifyImageAttribute's name, description, family, boot mode, features and licence type. An empty family
    /// or licence type leaves it unchanged: the API has no way to clear one either. Values are passed as given, so
    /// ImageChanges refuses a bad one with the API's code and message.</summary>
    public Task<IActionResult> OnPostEditAsync() =>
        ActAsync(() => changes.ModifyAsync(Caller, Region, ImageId, new ImageAttributeChanges
            {
                ImageName = EditName?.Trim() ?? "",
                Description = EditDescription ?? "",
                ImageFamily = string.IsNullOrWhiteSpace(EditFamily) ? null : EditFamily.Trim(),
                BootMode = NullIfEmpty(EditBootMode),
                NvmeSupport = NullIfEmpty(EditNvmeSupport),
                ImdsSupport = NullIfEmpty(EditImdsSupport),
                LicenseType = NullIfEmpty(EditLicenseType),
            }, dryRun: false, HttpContext.RequestAborted),
            "The image's attributes are saved.", () => Redirect(SelfUrl), ReloadAsync);

    public Task<IActionResult> OnPostShareAsync() => ShareAsync(add: true);

    public Task<IActionResult> OnPostUnshareAsync() => ShareAsync(add: false);

    public async Task<IActionResult> OnPostCopyAsync()
    {
        var destination = DestinationRegionId ?? "";
        CopyImageService.Result? copy = null;
        return await ActAsync(async () => copy = await copies.CopyAsync(Caller, new CopyImageRequest(Region, ImageId, destination,
                string.IsNullOrWhiteSpace(DestinationImageName) ? null : DestinationImageName.Trim()), HttpContext.RequestAborted),
            "", () =>
            {
                Notice = $"Copying to {destination} as image {copy!.ImageId}.";
                return Redirect($"/console/images/{Uri.EscapeDataString(copy.ImageId)}?region={Uri.EscapeDataString(destination)}");
            }, ReloadAsync);
    }

    /// <summary>ExportImage (ImageExportService); the task's page then shows its progress and the download links.</summary>
    public async Task<IActionResult> OnPostExportAsync()
    {
        string? taskId = null;
        return await ActAsync(async () => taskId = await exports.ExportAsync(Caller, new ExportImageRequest(Region, ImageId, ExportBucket ?? "",
                string.IsNullOrWhiteSpace(ExportPrefix) ? null : ExportPrefix.Trim(), ExportFormat), HttpContext.RequestAborted),
            "", () =>
            {
                Notice = $"Exporting as task {taskId}.";
                return Redirect($"/console/exports/{Uri.EscapeDataString(taskId!)}?region={Uri.EscapeDataString(Region)}");
            }, ReloadAsync);
    }

    public Task<IActionResult> OnPostCancelCopyAsync() =>
        ActAsync(() => copies.CancelAsync(Caller, Region, ImageId, HttpContext.RequestAborted),
            $"Copy {ImageId} cancelled: the partial copy is removed.", () => Redirect("/console/images?tab=custom"), ReloadAsync);

    /// <summary>CancelTask on the image's running import (TaskRunner.CancelAsync, as the API's CancelTask); the import's
    /// cleanup marks the image CreateFailed and discards its partial bytes, which the page then shows.</summary>
    public async Task<IActionResult> OnPostCancelImportAsync()
    {
        var taskId = await FindImportTaskAsync();
        if (taskId is null)
        {
            Refusal = Describe(TaskErrors.NotFound(ImageId));
            return await ReloadAsync();
        }

        return await ActAsync(() => runner.CancelAsync(Caller, Region, taskId, HttpContext.RequestAborted),
            $"Import task {taskId} cancelled.", () => Redirect(SelfUrl), ReloadAsync);
    }

    /// <summary>The JSON the page's poller reads (console.js): status and progress, or 404 like the page.</summary>
    public async Task<IActionResult> OnGetProgressAsync()
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        var disks = View!.Image.DiskMappings.OrderBy(d => d.Index).Select(d => new { d.Index, d.Progress, TimeLeft = TimeLeft(d) });
        return new JsonResult(new { Status = View.Image.Status, View.Image.Progress, Disks = disks });
    }

    /// <summary>A disk's estimated time left while it is being filled (a copy reports one), "—" otherwise.</summary>
    public static string TimeLeft(ImageDiskMappingEntity disk) =>
        disk.Progress is > 0 and < 100 && disk.RemainTimeSeconds > 0
            ? disk.RemainTimeSeconds >= 60 ? $"about {(disk.RemainTimeSeconds + 59) / 60} min" : $"about {disk.RemainTimeSeconds} s"
            : "—";

    private Task<IActionResult> SetStatusAsync(string status, string done) =>
        ActAsync(() => changes.ModifyAsync(Caller, Region, ImageId, new ImageAttributeChanges { Status = status }, dryRun: false, HttpContext.RequestAborted),
            done, () => Redirect(SelfUrl), ReloadAsync);

    private Task<IActionResult> ShareAsync(bool add)
    {
        var account = (ShareAccount ?? "").Trim();
        KeyValuePair<string, string>[] one = [new(add ? "AddAccount.1" : "RemoveAccount.1", account)];
        var change = add ? new SharePermissionChange(one, []) : new SharePermissionChange([], one);
        return ActAsync(() => sharing.ModifyAsync(Caller, Region, ImageId, change, dryRun: false, HttpContext.RequestAborted),
            add ? $"Shared with account {account}." : $"No longer shared with account {account}.", () => Redirect(SelfUrl), ReloadAsync);
    }

    private async Task<string?> FindImportTaskAsync()
    {
        var running = await tasks.ListAsync(Caller, Region, new TaskQuery(TaskAction: ImportErrors.TaskKind, TaskStatus: TaskStatuses.Processing,
            ResourceIds: [ImageId], PageSize: 1), HttpContext.RequestAborted);
        return running.Items.FirstOrDefault()?.Id;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private string SelfUrl => "/console/images/" + Uri.EscapeDataString(ImageId);

    private async Task<IActionResult> ReloadAsync()
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return await LoadAsync() ? Page() : NotFoundPage(EcsErrors.ImageNotFound(ImageId));
    }

    private async Task<bool> LoadAsync()
    {
        if (ImageId.Length is 0 or > 128)
        {
            return false;
        }

        var page = await queries.DescribeAsync(Caller, Region, new ImageQuery { ImageIds = [ImageId], Statuses = ImageStatuses.All, PageSize = 1 },
            dryRun: false, HttpContext.RequestAborted);
        View = page.Images.FirstOrDefault();
        if (View is null)
        {
            return false;
        }

        if (IsOwn)
        {
            Shares = await sharing.DescribeAsync(Caller, Region, ImageId, 1, 100, HttpContext.RequestAborted);
            if (View.Image.Status == ImageStatuses.CreateFailed)
            {
                var failed = await tasks.ListAsync(Caller, Region, new TaskQuery(TaskStatus: TaskStatuses.Failed, ResourceIds: [ImageId], PageSize: 1),
                    HttpContext.RequestAborted);
                FailedReason = failed.Items.FirstOrDefault()?.FailedReason;
            }

            if (View.Image.Status == ImageStatuses.Creating)
            {
                ImportTaskId = await FindImportTaskAsync();
            }

            Buckets = [.. (await buckets.ListBucketsAsync(Region, HttpContext.RequestAborted)).Where(b => BucketAccess.MayUse(b, Caller))];
        }

        Fees = await fees.QuoteAsync(Caller, View.Image, HttpContext.RequestAborted);
        return true;
    }
}
