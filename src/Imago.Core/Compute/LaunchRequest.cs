namespace Imago.Core.Compute;

/// <summary>
/// RunInstances / CreateInstance parameters (the image-relevant subset ECS documents). Serialized without
/// <see cref="ClientToken"/> and <see cref="DryRun"/> it is the parameter set a ClientToken is bound to.
/// </summary>
public sealed record LaunchRequest
{
    public required string RegionId { get; init; }

    public string? ImageId { get; init; }

    public string? ImageFamily { get; init; }

    public string? InstanceType { get; init; }

    public string? ZoneId { get; init; }

    /// <summary>1-100 (RunInstances); CreateInstance creates one.</summary>
    public int Amount { get; init; } = 1;

    public int? MinAmount { get; init; }

    public string? InstanceName { get; init; }

    public string? Description { get; init; }

    public string? HostName { get; init; }

    public SystemDiskOptions SystemDisk { get; init; } = new();

    public IReadOnlyList<DataDiskOptions> DataDisks { get; init; } = [];

    /// <summary>Tag.N: put on the instance and on each of its disks.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    public string? ClientToken { get; init; }

    public bool DryRun { get; init; }
}

/// <summary><c>SystemDisk.*</c></summary>
public sealed record SystemDiskOptions(string? Category = null, int? SizeGiB = null, string? DiskName = null, string? Description = null);

/// <summary><c>DataDisk.N.*</c> (<paramref name="Index"/> is N, used in error messages).</summary>
public sealed record DataDiskOptions(
    int Index,
    int? SizeGiB = null,
    string? SnapshotId = null,
    string? Category = null,
    string? DiskName = null,
    string? Description = null,
    bool? DeleteWithInstance = null,
    string? Device = null);

/// <summary>ReplaceSystemDisk parameters.</summary>
public sealed record ReplaceSystemDiskRequest
{
    /// <summary>Optional (ECS takes none): when given, the instance must be in it.</summary>
    public string? RegionId { get; init; }

    public required string InstanceId { get; init; }

    public required string ImageId { get; init; }

    public int? SizeGiB { get; init; }

    public string? ClientToken { get; init; }
}
