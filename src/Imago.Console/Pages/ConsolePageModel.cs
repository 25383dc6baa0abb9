using Imago.WebConsole.Session;
using Imago.Core;
using Imago.Core.Errors;
using Imago.Core.Regions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;

namespace Imago.WebConsole.Pages;

/// <summary>
/// What every signed-in console page has: the caller (from the session, passed to every Core call), the region the
/// page shows, and the one-line outcome of the last action (a refusal shows the Core service's own message, the
/// same one the API answers with).
/// </summary>
public abstract class ConsolePageModel : PageModel
{
    public string Region { get; private set; } = "";

    public Caller Caller => User.Caller();

    /// <summary>The last action's outcome, carried across its redirect.</summary>
    [TempData]
    public string? Notice { get; set; }

    /// <summary>A refusal to show on this response (not carried across a redirect).</summary>
    public string? Refusal { get; protected set; }

    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        Region = ConsoleRegion.Resolve(HttpContext, HttpContext.RequestServices.GetRequiredService<RegionCatalog>());
        ViewData["Region"] = Region;
    }

    /// <summary>A refusal as the page shows it: the ECS message and, for support, its code.</summary>
    protected static string Describe(EcsException refusal) => $"{refusal.Message} ({refusal.Code})";

    /// <summary>The page itself, answering 404 with <paramref name="notFound"/> (the API's NotFound for the id) as its message.</summary>
    protected IActionResult NotFoundPage(EcsException notFound)
    {
        Refusal = Describe(notFound);
        Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status404NotFound;
        return Page();
    }

    /// <summary>Runs a read; a refusal (e.g. a malformed filter) becomes the page's message and the result null.</summary>
    protected async Task<T?> ReadAsync<T>(Func<Task<T>> query) where T : class
    {
        try
        {
            return await query().ConfigureAwait(false);
        }
        catch (EcsException refusal)
        {
            Refusal = Describe(refusal);
            return null;
        }
    }

    /// <summary>Runs an action; on success redirects with <paramref name="done"/>, on a refusal shows its message on the page.</summary>
    protected async Task<IActionResult> ActAsync(Func<Task> action, string done, Func<IActionResult> onSuccess, Func<Task<IActionResult>> onRefusal)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (EcsException refusal)
        {
            Refusal = Describe(refusal);
            return await onRefusal().ConfigureAwait(false);
        }

        Notice = done;
        return onSuccess();
    }
}
