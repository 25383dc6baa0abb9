using System.Globalization;
using System.Security.Claims;
using Imago.Core;

namespace Imago.WebConsole.Session;

/// <summary>What the console's session cookie carries: the account and the AccessKey (or password) it signed in with.</summary>
public static class ConsoleSession
{
    /// <summary>The cookie authentication scheme; the API never uses it (it authenticates each request by signature).</summary>
    public const string Scheme = "ImagoConsole";

    public const string AccountClaim = "imago:account";

    /// <summary>The AccessKeyId signed in with (absent for a password sign-in).</summary>
    public const string AccessKeyClaim = "imago:key";

    /// <summary>For a password sign-in: a fingerprint of the password hash, so a new password ends the session.</summary>
    public const string PasswordStampClaim = "imago:pwd";

    public static ClaimsPrincipal KeyPrincipal(long accountId, string accessKeyId) =>
        new(new ClaimsIdentity([new Claim(AccountClaim, accountId.ToString(CultureInfo.InvariantCulture)), new Claim(AccessKeyClaim, accessKeyId)], Scheme));

    public static ClaimsPrincipal PasswordPrincipal(long accountId, string passwordStamp) =>
        new(new ClaimsIdentity([new Claim(AccountClaim, accountId.ToString(CultureInfo.InvariantCulture)), new Claim(PasswordStampClaim, passwordStamp)], Scheme));

    /// <summary>The signed-in account as Core sees it; every console page passes it to the Core services.</summary>
    public static Caller Caller(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(AccountClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? new Caller(id)
            : throw new InvalidOperationException("the console page was reached without a console session");

    public static string AccountId(this ClaimsPrincipal user) => user.FindFirstValue(AccountClaim) ?? "";
}
