namespace Imago.Api.Tests.Robustness;

/// <summary>
/// The parameters the robustness sweep bends, per action, taken from the handlers' code and docs/api.md.
/// An action registered in the host but missing here is still swept with <see cref="Fallback"/> (every id-like
/// name any action takes), so a new action is never silently skipped; list its own parameters here to sweep it
/// properly.
/// </summary>
internal static class SweepCatalog
{
    /// <summary>Scalar parameters (<c>Name=value</c>), per action.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Scalars = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["DescribeRegions"] = ["AcceptLanguage", "ResourceType", "InstanceChargeType"],
        ["DescribeZones"] = ["RegionId", "AcceptLanguage", "InstanceChargeType", "SpotStrategy", "Verbose"],
        ["DescribeImages"] =
        [
            "RegionId", "ImageId", "ImageName", "ImageFamily", "SnapshotId", "Status", "ImageOwnerAlias", "ImageOwnerId", "IsPublic", "Usage",
            "OSType", "Architecture", "InstanceType", "ActionType", "IsSupportIoOptimized", "IsSupportCloudinit", "ResourceGroupId", "DryRun",
            "PageNumber", "PageSize",
        ],
        ["DescribeImageFromFamily"] = ["RegionId", "ImageFamily"],
        ["ModifyImageAttribute"] =
        [
            "RegionId", "ImageId", "ImageName", "Description", "ImageFamily", "BootMode", "LicenseType", "Status", "Features.NvmeSupport",
            "Features.ImdsSupport", "DryRun",
        ],
        ["DeleteImage"] = ["RegionId", "ImageId", "Force", "DryRun"],
        ["DescribeImageSupportInstanceTypes"] = ["RegionId", "ImageId", "ActionType"],
        ["CreateImage"] =
        [
            "RegionId", "InstanceId", "SnapshotId", "ImageName", "ImageFamily", "ImageVersion", "Description", "Platform", "Architecture",
            "BootMode", "Features.ImdsSupport", "ClientToken", "DryRun",
        ],
        ["RunInstances"] = Launch(["Amount", "MinAmount"]),
        ["CreateInstance"] = Launch([]),
        ["DescribeInstances"] =
        [
            "RegionId", "InstanceIds", "ImageId", "Status", "ZoneId", "InstanceType", "InstanceName", "PageNumber", "PageSize", "NextToken",
            "MaxResults",
        ],
        ["StartInstance"] = ["RegionId", "InstanceId", "DryRun"],
        ["StopInstance"] = ["RegionId", "InstanceId", "ForceStop", "StoppedMode", "DryRun"],
        ["DeleteInstance"] = ["RegionId", "InstanceId", "Force", "TerminateSubscription", "DryRun"],
        ["ReplaceSystemDisk"] = ["RegionId", "InstanceId", "ImageId", "SystemDisk.Size", "ClientToken"],
        ["DescribeDisks"] =
        [
            "RegionId", "DiskIds", "InstanceId", "DiskType", "Category", "Status", "SnapshotId", "ZoneId", "DiskName", "DeleteWithInstance",
            "PageNumber", "PageSize", "NextToken", "MaxResults",
        ],
        ["DeleteDisk"] = ["RegionId", "DiskId"],
        ["CreateSnapshot"] = ["RegionId", "DiskId", "SnapshotName", "Description", "RetentionDays", "ClientToken", "DryRun"],
        ["DescribeSnapshots"] =
        [
            "RegionId", "SnapshotIds", "DiskId", "InstanceId", "SnapshotName", "Status", "SnapshotType", "Usage", "SourceDiskType", "Encrypted",
            "PageNumber", "PageSize", "NextToken", "MaxResults",
        ],
        ["DeleteSnapshot"] = ["RegionId", "SnapshotId", "Force"],
        ["DescribeTasks"] = ["RegionId", "TaskIds", "TaskAction", "TaskStatus", "StartTime", "EndTime", "PageNumber", "PageSize"],
        ["DescribeTaskAttribute"] = ["RegionId", "TaskId"],
        ["CancelTask"] = ["RegionId", "TaskId"],
        ["ModifyImageSharePermission"] = ["RegionId", "ImageId", "IsPublic", "LaunchPermission", "DryRun"],
        ["DescribeImageSharePermission"] = ["RegionId", "ImageId", "PageNumber", "PageSize"],
        ["ModifyImageShareGroupPermission"] = ["RegionId", "ImageId", "DryRun"],
        ["ImportImage"] =
        [
            "RegionId", "ImageName", "Description", "Architecture", "OSType", "Platform", "BootMode", "LicenseType", "ClientToken", "DryRun",
        ],
        ["CopyImage"] =
        [
            "RegionId", "ImageId", "DestinationRegionId", "DestinationImageName", "DestinationDescription", "Encrypted", "KMSKeyId",
            "ResourceGroupId", "ClientToken", "DryRun",
        ],
        ["CancelCopyImage"] = ["RegionId", "ImageId"],
        ["ExportImage"] = ["RegionId", "ImageId", "OSSBucket", "OSSPrefix", "ImageFormat", "RoleName", "DryRun"],
        ["DescribePrice"] =
        [
            "RegionId", "ResourceType", "InstanceType", "ImageId", "SystemDisk.Category", "SystemDisk.Size", "PriceUnit", "Period", "Amount",
        ],
        ["QueryInstanceBill"] = ["BillingCycle", "PageNum", "PageSize", "ProductCode", "IsBillingItem"],
    };

    /// <summary>Repeat lists: <c>Name.N.Field</c> (fields) or <c>Name.N</c> (no fields), per action.</summary>
    public static readonly IReadOnlyDictionary<string, (string Name, string[] Fields)[]> Lists = new Dictionary<string, (string, string[])[]>(StringComparer.Ordinal)
    {
        ["DescribeImages"] = [("Tag", ["Key", "Value"]), ("Filter", ["Key", "Value"])],
        ["DescribeImageSupportInstanceTypes"] = [("Filter", ["Key", "Value"])],
        ["CreateImage"] = [("Tag", ["Key", "Value"]), ("DiskDeviceMapping", ["SnapshotId", "Size", "Device", "DiskType"])],
        ["RunInstances"] = LaunchLists,
        ["CreateInstance"] = LaunchLists,
        ["DescribeInstances"] = [("Tag", ["Key", "Value"])],
        ["DescribeSnapshots"] = [("Tag", ["Key", "Value"]), ("Filter", ["Key", "Value"])],
        ["DescribeTasks"] = [("ResourceIds", [])],
        ["ModifyImageSharePermission"] = [("AddAccount", []), ("RemoveAccount", [])],
        ["ModifyImageShareGroupPermission"] = [("AddGroup", []), ("RemoveGroup", [])],
        ["ImportImage"] = [("Tag", ["Key", "Value"]), ("DiskDeviceMapping", ["OSSBucket", "OSSObject", "Format", "DiskImageSize", "DiskImSize", "Device"])],
        ["CopyImage"] = [("Tag", ["Key", "Value"])],
        ["DescribePrice"] = [("DataDisk", ["Size", "Category"])],
    };

    /// <summary>For an action not listed above: every id-like and common name, and the usual lists.</summary>
    public static readonly string[] Fallback =
    [
        "RegionId", "ImageId", "InstanceId", "DiskId", "SnapshotId", "TaskId", "ImageIds", "InstanceIds", "DiskIds", "SnapshotIds", "TaskIds",
        "ZoneId", "Force", "DryRun", "ClientToken", "PageNumber", "PageSize", "Description",
    ];

    public static readonly (string Name, string[] Fields)[] FallbackLists = [("Tag", ["Key", "Value"])];

    private static (string Name, string[] Fields)[] LaunchLists =>
    [
        ("Tag", ["Key", "Value"]),
        ("DataDisk", ["Size", "Category", "SnapshotId", "Device", "DiskName", "Description", "DeleteWithInstance"]),
    ];

    private static string[] Launch(string[] extra) =>
    [
        "RegionId", "ImageId", "ImageFamily", "InstanceType", "ZoneId", "InstanceName", "HostName", "Description", "SystemDisk.Size",
        "SystemDisk.Category", "SystemDisk.DiskName", "SystemDisk.Description", "ClientToken", "DryRun", .. extra,
    ];

    public static string[] ScalarsOf(string action) => Scalars.GetValueOrDefault(action) ?? Fallback;

    public static (string Name, string[] Fields)[] ListsOf(string action) =>
        Lists.GetValueOrDefault(action) ?? (Scalars.ContainsKey(action) ? [] : FallbackLists);
}
