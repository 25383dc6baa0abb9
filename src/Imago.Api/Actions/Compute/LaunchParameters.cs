using System.Globalization;
using Imago.Api.Rpc;
using Imago.Core.Common;
using Imago.Core.Compute;
using Imago.Core.Errors;

namespace Imago.Api.Actions.Compute;

/// <summary>Reads the RunInstances / CreateInstance parameters into a <see cref="LaunchRequest"/>.</summary>
internal static class LaunchParameters
{
    private const int MaxDataDisks = 16;

    public static LaunchRequest Read(EcsRequest request, bool withAmount)
    {
        var p = request.Parameters;
        return new LaunchRequest
        {
            RegionId = request.RegionId,
            ImageId = p.GetString("ImageId", 128),
            ImageFamily = p.GetString("ImageFamily", 128),
            InstanceType = p.GetString("InstanceType", 64),
            ZoneId = p.GetString("ZoneId", 64),
            Amount = withAmount ? p.GetInt("Amount", 1, 100) ?? 1 : 1,
            MinAmount = withAmount ? p.GetInt("MinAmount", 1, 100) : null,
            InstanceName = p.GetString("InstanceName", 128),
            Description = p.GetString("Description", 256),
            HostName = p.GetString("HostName", 64),
            SystemDisk = new SystemDiskOptions(
                p.GetString("SystemDisk.Category", 64),
                p.GetInt("SystemDisk.Size", 1, int.MaxValue),
                p.GetString("SystemDisk.DiskName", 128),
                p.GetString("SystemDisk.Description", 256)),
            DataDisks = [.. p.GetStructList("DataDisk", MaxDataDisks).Select(d => DataDisk(d.Index, d.Fields))],
            Tags = p.GetTags(),
            ClientToken = Idempotency.Validate(p.GetString("ClientToken", Idempotency.MaxTokenLength)),
            DryRun = p.GetBool("DryRun") ?? false,
        };
    }

    private static DataDiskOptions DataDisk(int index, IReadOnlyDictionary<string, string> fields)
    {
        string? Text(string field, int max)
        {
            var value = fields.GetValueOrDefault(field);
            return string.IsNullOrEmpty(value) ? null
                : value.Length <= max ? value
                : throw EcsErrors.InvalidParameter($"DataDisk.{index}.{field}", $"It is longer than {max} characters.");
        }

        var size = Text("Size", 16);
        var deleteWithInstance = Text("DeleteWithInstance", 8);
        return new DataDiskOptions(
            index,
            size is null ? null
                : int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var gib) ? gib
                : throw EcsErrors.InvalidParameter($"DataDisk.{index}.Size", "It must be an integer."),
            Text("SnapshotId", 128),
            Text("Category", 64),
            Text("DiskName", 128),
            Text("Description", 256),
            deleteWithInstance is null ? null
                : bool.TryParse(deleteWithInstance, out var flag) ? flag
                : throw EcsErrors.InvalidParameter($"DataDisk.{index}.DeleteWithInstance", "It must be true or false."),
            Text("Device", 32));
    }
}
