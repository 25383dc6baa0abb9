namespace Imago.WebConsole.Pages.Shared;

/// <summary>A list's page links (the _Pager partial): the page shown, how many there are, and each page's URL.</summary>
public sealed record Pager(int PageNumber, int TotalCount, int PageSize, Func<int, string> Link)
{
    /// <summary>The largest page number a list accepts; larger ones show as the (empty) last page asked for.</summary>
    public const int MaxPageNumber = 100_000;

    public int PageCount => Math.Max(1, (TotalCount + PageSize - 1) / PageSize);
}
