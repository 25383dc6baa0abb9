namespace Imago.Core.Images;

/// <summary>
/// DescribeImages' filters as the request gives them (enumerations still as text: <see cref="ImageQueries"/>
/// validates them with the documented error codes). Null means "not filtered".
/// </summary>
public sealed record ImageQuery
{
    public IReadOnlyList<string>? ImageIds { get; init; }

    /// <summary>Fuzzy (substring, case-insensitive).</summary>
    public string? ImageName { get; init; }

    public string? ImageFamily { get; init; }

    public string? SnapshotId { get; init; }

    /// <summary>Null: the documented default, Available only.</summary>
    public IReadOnlyList<string>? Statuses { get; init; }

    /// <summary><c>system</c>, <c>self</c>, <c>others</c>, <c>marketplace</c>; null: system + self + others.</summary>
    public string? ImageOwnerAlias { get; init; }

    /// <summary>Applies to shared images only (other accounts' images must have this owner), as documented.</summary>
    public long? ImageOwnerId { get; init; }

    /// <summary>true: community images only (needs ImageOwnerAlias=others); false or null: every other image.</summary>
    public bool? IsPublic { get; init; }

    /// <summary><c>instance</c> or <c>none</c>.</summary>
    public string? Usage { get; init; }

    public string? OSType { get; init; }

    public string? Architecture { get; init; }

    /// <summary>Only images that can run on this instance type.</summary>
    public string? InstanceType { get; init; }

    public bool? IsSupportIoOptimized { get; init; }

    public bool? IsSupportCloudinit { get; init; }

    /// <summary><c>CreateEcs</c> (default) or <c>ChangeOS</c>: every listed image supports both.</summary>
    public string? ActionType { get; init; }

    public string? ResourceGroupId { get; init; }

    /// <summary>Tag.N: images carrying every tag (an empty value matches any value of the key).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>Filter.N: key (<c>CreationStartTime</c>, <c>CreationEndTime</c>, <c>NetworkType</c>) and value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Filters { get; init; } = [];

    public int PageNumber { get; init; } = 1;

    public int PageSize { get; init; } = 10;
}
