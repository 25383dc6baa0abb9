using Imago.WebConsole.Session;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imago.WebConsole.Pages;

/// <summary>Sign-in with an AccessKey pair; one message for every failure (no hint which part was wrong).</summary>
public sealed class SignInModel(AccessKeySignIn signIn) : PageModel
{
    public const string Failed = "The AccessKey ID or secret is not valid, or the key or its account is disabled.";

    [BindProperty]
    public string? AccessKeyId { get; set; }

    [BindProperty]
    public string? AccessKeySecret { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Refusal { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var credential = await signIn.VerifyAsync(AccessKeyId, AccessKeySecret, HttpContext.RequestAborted);
        AccessKeySecret = null;
        if (credential is null)
        {
            Refusal = Failed;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(ConsoleSession.Scheme,
            ConsoleSession.Principal(credential.AccountId, credential.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture), credential.AccessKeyId));
        // Only a local console path: never an open redirect to another site.
        return LocalRedirect(ReturnUrl is { } url && url.StartsWith("/console/", StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal)
            ? url
            : "/console/images");
    }
}
