using Imago.WebConsole.Pages.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Imago.WebConsole.Pages;

/// <summary>A paged list: the <c>page</c> query parameter (bounded; a malformed one is page 1) and the page size.</summary>
public abstract class ListPageModel : ConsolePageModel
{
    public const int PageSize = 20;

    /// <remarks>From the query only: Razor Pages' route values carry a <c>page</c> of their own (the page's path).</remarks>
    [BindProperty(SupportsGet = true)]
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        base.OnPageHandlerExecuting(context);
        PageNumber = Math.Clamp(PageNumber, 1, Pager.MaxPageNumber);
    }
}
