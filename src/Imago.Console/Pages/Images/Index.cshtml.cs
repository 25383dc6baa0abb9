using Imago.Core.Images;
using Imago.Data.Entities;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Images;

/// <summary>The Images list: one tab per owner alias (DescribeImages' ImageOwnerAlias), name and status filters, paging.</summary>
public sealed class IndexModel(ImageQueries queries) : ListPageModel
{
    /// <summary>Tab id (in the URL), label, and the ImageOwnerAlias it lists.</summary>
    public static readonly IReadOnlyList<(string Id, string Label, string Alias)> Tabs =
    [
        ("public", "Public", ImageOwnerAliases.System),
        ("custom", "Custom", ImageOwnerAliases.Self),
        ("shared", "Shared with me", ImageOwnerAliases.Others),
        ("marketplace", "Marketplace", ImageOwnerAliases.Marketplace),
    ];

    [BindProperty(SupportsGet = true)]
    public string? Tab { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Name { get; set; }

    /// <summary>One status, or empty for every status.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    public ImagePage? Result { get; private set; }

    public string CurrentTab => Tabs.Any(t => t.Id == Tab) ? Tab! : Tabs[0].Id;

    public async Task OnGetAsync()
    {
        var alias = Tabs.First(t => t.Id == CurrentTab).Alias;
        var status = ImageStatuses.All.FirstOrDefault(s => s == Status);
        Status = status;
        var query = new ImageQuery
        {
            ImageOwnerAlias = alias,
            ImageName = string.IsNullOrWhiteSpace(Name) ? null : Name.Trim()[..Math.Min(Name.Trim().Length, 128)],
            Statuses = status is null ? ImageStatuses.All : [status],
            PageNumber = PageNumber,
            PageSize = PageSize,
        };
        Result = await ReadAsync(() => queries.DescribeAsync(Caller, Region, query, dryRun: false, HttpContext.RequestAborted));
    }

    /// <summary>This list's URL with one parameter changed (tabs and pager keep the filters).</summary>
    public string Link(string? tab = null, int? page = null)
    {
        var query = new List<string> { $"tab={Uri.EscapeDataString(tab ?? CurrentTab)}" };
        if (tab is null && !string.IsNullOrEmpty(Name))
        {
            query.Add($"name={Uri.EscapeDataString(Name)}");
        }

        if (tab is null && !string.IsNullOrEmpty(Status))
        {
            query.Add($"status={Uri.EscapeDataString(Status)}");
        }

        if (page is { } p && p > 1)
        {
            query.Add($"page={p}");
        }

        return "/console/images?" + string.Join('&', query);
    }
}
