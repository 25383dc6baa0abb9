using System.Globalization;
using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Images;
using Imago.Core.Importing.Detection;
using Imago.Data.Entities;

namespace Imago.Api.Actions.Images;

/// <summary>
/// The one serializer of an image (ecs-api.md section 2), used by DescribeImages and DescribeImageFromFamily.
/// JSON types follow the SDK models: IsSelfShared and DiskDeviceMapping.Size are strings, Size an integer,
/// Progress a percentage string. IsSelfShared is <c>"True"</c>/<c>"False"</c> for the caller's own images and
/// empty for the others, as the real service answers.
/// </summary>
public static class ImageJson
{
    public static JsonObject Image(ImageView view)
    {
        var image = view.Image;
        var json = new JsonObject
        {
            ["ImageId"] = image.Id,
            ["ImageName"] = image.Name,
            ["Description"] = image.Description,
            ["ImageFamily"] = image.Family,
            ["ImageVersion"] = image.ImageVersion,
            ["Status"] = image.Status,
            ["Progress"] = EcsJson.Percent(image.Progress),
            ["ImageOwnerAlias"] = view.OwnerAlias,
        };
        if (image.OwnerAccountId is { } owner)
        {
            json["ImageOwnerId"] = owner;
        }

        json["IsSelfShared"] = view.IsSelfShared switch { true => "True", false => "False", null => "" };
        json["IsCopied"] = image.IsCopied;
        json["IsPublic"] = view.IsPublic;
        json["IsSubscribed"] = view.IsSubscribed;
        json["ProductCode"] = image.ProductCode;
        json["SupplierName"] = "";
        json["Usage"] = view.InUse ? "instance" : "none";
        json["OSType"] = image.OSType;
        json["Platform"] = image.Platform;
        json["OSName"] = image.OSName;
        json["OSNameEn"] = image.OSNameEn;
        json["Architecture"] = image.Architecture;
        json["BootMode"] = image.BootMode;
        json["Size"] = image.SizeGiB;
        json["IsSupportCloudinit"] = image.IsSupportCloudinit;
        json["IsSupportIoOptimized"] = image.IsSupportIoOptimized;
        json["LicenseType"] = image.LicenseType;
        json["CreationTime"] = EcsJson.Time(image.CreatedAt);
        json["ResourceGroupId"] = image.ResourceGroupId;
        json["Usable"] = image.Status is ImageStatuses.Available or ImageStatuses.Deprecated;
        json["Tags"] = EcsJson.Tags(view.Tags);
        json["DiskDeviceMappings"] = EcsJson.Wrap("DiskDeviceMapping", image.DiskMappings.OrderBy(m => m.Index).Select(DiskDeviceMapping));
        json["Features"] = new JsonObject { ["NvmeSupport"] = image.NvmeSupport, ["ImdsSupport"] = image.ImdsSupport };
        if (image.DetectionStatus.Length > 0)
        {
            json["DetectionOptions"] = DetectionOptions(image);
        }

        return json;
    }

    /// <summary>The image check's state and findings; present only on images a check ran on (imports), as the real service shows it.</summary>
    private static JsonObject DetectionOptions(ImageEntity image) => new()
    {
        ["Status"] = image.DetectionStatus,
        ["Items"] = EcsJson.Wrap("Item", ImageDetectionResult.ParseItems(image.DetectionItems).Select(item => (JsonNode)new JsonObject
        {
            ["Name"] = item.Name,
            ["Value"] = item.Value,
            ["RiskCode"] = item.RiskCode,
            ["RiskLevel"] = item.RiskLevel,
        })),
    };

    private static JsonNode DiskDeviceMapping(ImageDiskMappingEntity mapping) => new JsonObject
    {
        ["SnapshotId"] = mapping.SnapshotId ?? "",
        ["Size"] = mapping.SizeGiB.ToString(CultureInfo.InvariantCulture),
        ["Device"] = mapping.Device,
        ["Type"] = mapping.Type,
        ["Format"] = mapping.Format,
        ["ImportOSSBucket"] = mapping.ImportOssBucket,
        ["ImportOSSObject"] = mapping.ImportOssObject,
        ["Progress"] = EcsJson.Percent(mapping.Progress),
        ["RemainTime"] = mapping.RemainTimeSeconds,
        ["Encrypted"] = false,
    };
}
