using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.ImageCreation;

namespace Imago.Api.Actions.ImageCreation;

/// <summary>CreateImage: <c>{"ImageId"}</c>; the image is Creating until its task makes it Available.</summary>
public sealed class CreateImageHandler(ImageCreationService images) : IEcsActionHandler
{
    public string Action => "CreateImage";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        var mappings = p.GetStructList("DiskDeviceMapping", 17)
            .Select(m => new DiskMappingRequest(m.Index, Field(m.Fields, "SnapshotId"), Field(m.Fields, "Size"), Field(m.Fields, "Device"), Field(m.Fields, "DiskType")))
            .ToList();
        var create = new CreateImageRequest(
            RegionId: request.RegionId,
            InstanceId: p.GetString("InstanceId", 64),
            SnapshotId: p.GetString("SnapshotId", 64),
            DiskDeviceMappings: mappings,
            ImageName: p.GetString("ImageName", 256),
            Description: p.GetString("Description", 1024),
            ImageFamily: p.GetString("ImageFamily", 256),
            ImageVersion: p.GetString("ImageVersion", 256),
            Platform: p.GetString("Platform", 64),
            Architecture: p.GetString("Architecture", 64),
            BootMode: p.GetString("BootMode", 64),
            ImdsSupport: p.GetString("Features.ImdsSupport", 16),
            Tags: p.GetTags(),
            ClientToken: p.GetString("ClientToken", 256),
            DryRun: p.GetBool("DryRun") ?? false);
        var imageId = await images.CreateAsync(request.Caller, create, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["ImageId"] = imageId };
    }

    /// <summary>A mapping field, at most 64 characters (ids, sizes, device names, types); empty counts as absent.</summary>
    private static string? Field(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.GetValueOrDefault(name) is { Length: > 0 } value
            ? value.Length <= 64 ? value : throw Core.Errors.EcsErrors.InvalidParameter("DiskDeviceMapping.N." + name)
            : null;
}
