namespace Imago.Core.Tasks;

/// <summary>DescribeTasks' filters (all optional) and paging.</summary>
public sealed record TaskQuery(
    IReadOnlyList<string>? TaskIds = null,
    string? TaskAction = null,
    string? TaskStatus = null,
    DateTime? StartTime = null,
    DateTime? EndTime = null,
    IReadOnlyList<string>? ResourceIds = null,
    int PageNumber = 1,
    int PageSize = 10);
