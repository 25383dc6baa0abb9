using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Errors;
using Imago.Core.Importing;

namespace Imago.Api.Actions.Importing;

/// <summary>ImportImage: <c>{"ImageId", "RegionId", "TaskId"}</c>; the image is Creating until its ImportImage task ends.</summary>
public sealed class ImportImageHandler(ImageImportService imports) : IEcsActionHandler
{
    public string Action => "ImportImage";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        // N above 17 is ignored, as the reference documents.
        var disks = p.GetStructList("DiskDeviceMapping", int.MaxValue)
            .Where(m => m.Index <= 17)
            .Select(m => new ImportDiskRequest(
                m.Index,
                Field(m.Fields, "OSSBucket", 64),
                Field(m.Fields, "OSSObject", 1024),
                Field(m.Fields, "Format", 16),
                Field(m.Fields, "DiskImageSize", 16) ?? Field(m.Fields, "DiskImSize", 16),
                Field(m.Fields, "Device", 64)))
            .ToList();
        var import = new ImportImageRequest(
            RegionId: request.RegionId,
            Disks: disks,
            ImageName: p.GetString("ImageName", 256),
            Description: p.GetString("Description", 1024),
            Architecture: p.GetString("Architecture", 64),
            OSType: p.GetString("OSType", 64),
            Platform: p.GetString("Platform", 64),
            BootMode: p.GetString("BootMode", 64),
            LicenseType: p.GetString("LicenseType", 64),
            Tags: p.GetTags(),
            ClientToken: p.GetString("ClientToken", 256),
            DryRun: p.GetBool("DryRun") ?? false);
        var result = await imports.ImportAsync(request.Caller, import, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["ImageId"] = result.ImageId, ["RegionId"] = request.RegionId, ["TaskId"] = result.TaskId };
    }

    /// <summary>A mapping field of at most <paramref name="maxLength"/> characters; empty counts as absent.</summary>
    private static string? Field(IReadOnlyDictionary<string, string> fields, string name, int maxLength) =>
        fields.GetValueOrDefault(name) is { Length: > 0 } value
            ? value.Length <= maxLength ? value : throw EcsErrors.InvalidParameter("DiskDeviceMapping.N." + name)
            : null;
}
