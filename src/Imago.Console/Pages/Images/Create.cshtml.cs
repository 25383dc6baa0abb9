using Imago.Core.Compute;
using Imago.Core.ImageCreation;
using Imago.Core.Snapshots;
using Imago.Data.Entities;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Images;

/// <summary>
/// Create a custom image (CreateImage through ImageCreationService, the API's service and messages): from one of the
/// caller's instances (its system and data disks), or from snapshots (a system disk snapshot plus optional data disk
/// snapshots, sent as DiskDeviceMapping.N). The new image's page then shows it Creating until Available.
/// </summary>
public sealed class CreateModel(ImageCreationService creation, InstanceQueries instanceQueries, SnapshotQueries snapshotQueries) : NewImagePageModel
{
    /// <summary>At most this many instances and snapshots are offered (the lists are the region's newest).</summary>
    private const int Offered = 100;

    [BindProperty]
    public string? SourceInstanceId { get; set; }

    [BindProperty]
    public string? SystemSnapshotId { get; set; }

    [BindProperty]
    public List<string> DataSnapshotIds { get; set; } = [];

    [BindProperty]
    public string? ImageName { get; set; }

    [BindProperty]
    public string? Description { get; set; }

    public IReadOnlyList<InstanceDetails> Instances { get; private set; } = [];

    public IReadOnlyList<SnapshotView> SystemSnapshots { get; private set; } = [];

    public IReadOnlyList<SnapshotView> DataSnapshots { get; private set; } = [];

    public async Task OnGetAsync() => await LoadAsync();

    public Task<IActionResult> OnPostFromInstanceAsync() =>
        CreateAsync(new CreateImageRequest(Region, InstanceId: SourceInstanceId ?? "", ImageName: Blank(ImageName), Description: Blank(Description)));

    /// <summary>The system snapshot is DiskDeviceMapping.1 (DiskType system), each data snapshot the next mapping.</summary>
    public Task<IActionResult> OnPostFromSnapshotsAsync()
    {
        var mappings = new List<DiskMappingRequest> { new(1, SystemSnapshotId ?? "", null, null, "system") };
        mappings.AddRange(DataSnapshotIds.Where(id => !string.IsNullOrEmpty(id)).Take(Offered)
            .Select((id, i) => new DiskMappingRequest(i + 2, id, null, null, "data")));
        return CreateAsync(new CreateImageRequest(Region, DiskDeviceMappings: mappings, ImageName: Blank(ImageName), Description: Blank(Description)));
    }

    private Task<IActionResult> CreateAsync(CreateImageRequest request) =>
        StartImageAsync(async () =>
        {
            var imageId = await creation.CreateAsync(Caller, request, HttpContext.RequestAborted);
            return (imageId, $"Creating image {imageId}.");
        });

    protected override async Task LoadAsync()
    {
        var instances = await ReadAsync(() => instanceQueries.DescribeAsync(Caller, new InstanceFilter { RegionId = Region }, new PageRequest(1, Offered),
            HttpContext.RequestAborted));
        Instances = instances?.Items ?? [];
        var snapshots = await ReadAsync(() => snapshotQueries.ListAsync(Caller, Region,
            new SnapshotQuery(Status: SnapshotStatuses.Accomplished, Paging: new PageRequest(1, Offered)), HttpContext.RequestAborted));
        var all = snapshots?.Items ?? [];
        SystemSnapshots = [.. all.Where(s => s.Snapshot.SourceDiskType == "system")];
        DataSnapshots = [.. all.Where(s => s.Snapshot.SourceDiskType != "system")];
    }
}
