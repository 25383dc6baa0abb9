using Imago.Core.Regions;
using Microsoft.AspNetCore.Http;

namespace Imago.WebConsole.Session;

/// <summary>
/// The region a console page shows: the <c>region</c> query parameter when it names a served region (remembered in
/// a cookie), else the remembered one, else the first served region. An unknown id is ignored, not an error page.
/// </summary>
public static class ConsoleRegion
{
    public const string CookieName = "imago-region";

    public static string Resolve(HttpContext context, RegionCatalog regions)
    {
        var served = regions.RegionIds.ToList();
        var asked = context.Request.Query["region"].ToString();
        if (served.Contains(asked, StringComparer.Ordinal))
        {
            context.Response.Cookies.Append(CookieName, asked, new CookieOptions
            {
                Path = "/console",
                HttpOnly = true,
                Secure = context.Request.IsHttps,
                SameSite = SameSiteMode.Lax,
                MaxAge = TimeSpan.FromDays(365),
            });
            return asked;
        }

        var remembered = context.Request.Cookies[CookieName];
        return remembered is not null && served.Contains(remembered, StringComparer.Ordinal) ? remembered : served[0];
    }
}
