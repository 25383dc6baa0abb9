using System.Globalization;
using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Snapshots;

namespace Imago.Api.Actions.Snapshots;

/// <summary>One <c>Snapshot</c> item of DescribeSnapshots, with the SDK-declared field types.</summary>
internal static class SnapshotJson
{
    public static JsonNode Of(SnapshotView view)
    {
        var s = view.Snapshot;
        return new JsonObject
        {
            ["SnapshotId"] = s.Id,
            ["SnapshotName"] = s.Name,
            ["Description"] = s.Description,
            ["Status"] = s.Status,
            ["Progress"] = EcsJson.Percent(s.Progress),
            ["CreationTime"] = EcsJson.Time(s.CreatedAt),
            ["LastModifiedTime"] = EcsJson.Time(s.CreatedAt),
            ["SourceDiskId"] = s.SourceDiskId,
            ["SourceDiskSize"] = s.SourceDiskSizeGiB.ToString(CultureInfo.InvariantCulture),
            ["SourceDiskType"] = s.SourceDiskType,
            ["SourceStorageType"] = "disk",
            ["SnapshotType"] = s.SnapshotType,
            ["Usage"] = view.Usage,
            ["RetentionDays"] = s.RetentionDays ?? 0,
            ["Encrypted"] = false,
            ["KMSKeyId"] = "",
            ["Category"] = "standard",
            ["InstantAccess"] = false,
            ["InstantAccessRetentionDays"] = 0,
            ["ProductCode"] = s.ProductCode,
            ["SnapshotSN"] = s.Id,
            ["SnapshotLinkId"] = "",
            ["ResourceGroupId"] = "",
            ["RegionId"] = s.RegionId,
            ["SourceRegionId"] = s.SourceRegionId ?? "",
            ["SourceSnapshotId"] = s.SourceSnapshotId ?? "",
            ["RemainTime"] = 0,
            ["Available"] = s.Status == Data.Entities.SnapshotStatuses.Accomplished,
            ["FullSnapshotSizeInBytes"] = s.StoredBytes,
            ["Tags"] = EcsJson.Tags(view.Tags),
        };
    }
}
