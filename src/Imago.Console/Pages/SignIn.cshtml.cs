using Imago.Core.Accounts;
using Imago.WebConsole.Session;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imago.WebConsole.Pages;

/// <summary>
/// Sign-in with an AccessKey pair or with the account name and its console password. One message per form for every
/// failure (no hint which part was wrong), answered with 401.
/// </summary>
public sealed class SignInModel(AccessKeySignIn keys, ConsolePasswords passwords) : PageModel
{
    public const string KeyFailed = "The AccessKey ID or secret is not valid, or the key or its account is disabled.";
    public const string PasswordFailed = "The account name or password is not valid, or the account is disabled.";

    [BindProperty]
    public string? AccessKeyId { get; set; }

    [BindProperty]
    public string? AccessKeySecret { get; set; }

    [BindProperty]
    public string? AccountName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Refusal { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var credential = await keys.VerifyAsync(AccessKeyId, AccessKeySecret, HttpContext.RequestAborted);
        AccessKeySecret = null;
        return credential is null
            ? Refuse(KeyFailed)
            : await SignInAsync(ConsoleSession.KeyPrincipal(credential.AccountId, credential.AccessKeyId));
    }

    public async Task<IActionResult> OnPostPasswordAsync()
    {
        var signIn = await passwords.VerifyAsync((AccountName ?? "").Trim(), Password ?? "", HttpContext.RequestAborted);
        Password = null;
        return signIn is null
            ? Refuse(PasswordFailed)
            : await SignInAsync(ConsoleSession.PasswordPrincipal(signIn.AccountId, signIn.Stamp));
    }

    private PageResult Refuse(string message)
    {
        Refusal = message;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }

    private async Task<IActionResult> SignInAsync(System.Security.Claims.ClaimsPrincipal principal)
    {
        await HttpContext.SignInAsync(ConsoleSession.Scheme, principal);
        // Only a console path: never an open redirect to another site.
        return LocalRedirect(ReturnUrl is { } url && url.StartsWith("/console/", StringComparison.Ordinal) && !url.Contains("//", StringComparison.Ordinal)
            && !url.Contains('\\', StringComparison.Ordinal)
            ? url
            : "/console/images");
    }
}
