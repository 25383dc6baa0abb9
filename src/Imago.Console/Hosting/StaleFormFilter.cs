using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Core.Infrastructure;

namespace Imago.WebConsole.Hosting;

/// <summary>
/// A form whose antiforgery token does not match the session (a page left open across a sign-out and a new sign-in,
/// or a forged post) is refused with 400 as before, but with a page that says what happened and what to do instead
/// of an empty body (JSON for a script's upload). Nothing was changed: the page's handler never ran.
/// </summary>
public sealed class StaleFormFilter : IAlwaysRunResultFilter
{
    public const string Message = "This form is out of date: it was not issued to the current session. Nothing was changed. Reload the page and try again.";

    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (context.Result is IAntiforgeryValidationFailedResult)
        {
            context.Result = Answer(context.HttpContext.Request);
        }
    }

    /// <summary>The 400 for a post whose token failed: this page, or JSON <c>{message}</c> for a script's post (the
    /// import page's upload streams the file as the body). Pages that check the token themselves answer with it too.</summary>
    public static IActionResult Answer(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return new JsonResult(new { Message }) { StatusCode = StatusCodes.Status400BadRequest };
        }

        // Back to the page the form came from (a console page of this site), else the console's start.
        var path = request.Path.Value ?? "";
        var back = path.StartsWith(ConsoleRegistration.PathBase + "/", StringComparison.Ordinal) ? path : ConsoleRegistration.PathBase + "/images";
        var html = HtmlEncoder.Default;
        return new ContentResult
        {
            StatusCode = StatusCodes.Status400BadRequest,
            ContentType = "text/html; charset=utf-8",
            Content = $"""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Form out of date · Imago console</title><link rel="stylesheet" href="/console/assets/console.css"></head>
                <body><main id="main"><h1>Form out of date</h1><p class="refusal" role="alert">{html.Encode(Message)}</p>
                <p><a href="{html.Encode(back)}">Reload the page</a></p></main></body></html>
                """,
        };
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}
