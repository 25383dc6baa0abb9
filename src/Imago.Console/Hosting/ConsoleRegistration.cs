using Imago.Core.Accounts;
using Imago.WebConsole.Session;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.DependencyInjection;

namespace Imago.WebConsole.Hosting;

/// <summary>
/// The web console on <c>/console</c> (docs/console.md): Razor Pages rendered on the server, a cookie session, the
/// antiforgery token on every form. The pages call the same Core services the API handlers call, which the host has
/// registered through <c>AddImago</c>.
/// </summary>
public static class ConsoleRegistration
{
    public const string PathBase = "/console";

    /// <param name="dataDirectory">The session cookies' data-protection keys live in its <c>console-keys</c>, so
    /// sessions survive a restart.</param>
    public static IServiceCollection AddImagoConsole(this IServiceCollection services, string dataDirectory)
    {
        services.AddDataProtection()
            .SetApplicationName("imago-console")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "console-keys")));
        services.AddAuthentication()
            .AddCookie(ConsoleSession.Scheme, options =>
            {
                options.Cookie.Name = "imago-console";
                options.Cookie.Path = PathBase;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = PathBase + "/signin";
                options.LogoutPath = PathBase + "/signout";
                options.AccessDeniedPath = PathBase + "/signin";
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.Events.OnValidatePrincipal = ValidateSessionAsync;
                // Session lifetimes are real time, also when the host runs on a test clock (imago serve --test-clock).
                options.TimeProvider = TimeProvider.System;
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleSession.Scheme, policy => policy.AddAuthenticationSchemes(ConsoleSession.Scheme).RequireAuthenticatedUser());
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "imago-console-csrf";
            options.Cookie.Path = PathBase;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.FormFieldName = "__csrf";
        });
        services.AddRazorPages(options =>
            {
                options.Conventions.AuthorizeFolder("/", ConsoleSession.Scheme);
                options.Conventions.AllowAnonymousToPage("/SignIn");
                options.Conventions.ConfigureFilter(new StaleFormFilter());
            })
            .ConfigureApplicationPartManager(parts =>
            {
                // The host's own assembly discovery may already have found the console; add it once.
                var assembly = typeof(ConsoleRegistration).Assembly;
                if (!parts.ApplicationParts.OfType<AssemblyPart>().Any(p => p.Assembly == assembly))
                {
                    parts.ApplicationParts.Add(new CompiledRazorAssemblyPart(assembly));
                    parts.ApplicationParts.Add(new AssemblyPart(assembly));
                }
            });
        services.AddSingleton<AccessKeySignIn>();
        services.AddSingleton<ConsolePasswords>();
        services.AddSingleton<Imago.Core.Billing.ImageFees>();
        return services;
    }

    public static WebApplication MapImagoConsole(this WebApplication app)
    {
        // A browser opening the service's root gets the console; API calls to "/" carry a query or a form body.
        app.Use(async (context, next) =>
        {
            if (context.Request.Path == "/" && HttpMethods.IsGet(context.Request.Method) && !context.Request.QueryString.HasValue
                && context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Redirect(PathBase + "/images");
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        app.MapGet(PathBase, () => Results.Redirect(PathBase + "/images"));
        ConsoleAssets.Map(app);
        app.MapRazorPages();
        return app;
    }

    /// <summary>Every request re-checks what the session was opened with: the key still Active and its account enabled, or
    /// the account enabled with the same password. Otherwise the session ends there.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var user = context.Principal;
        var services = context.HttpContext.RequestServices;
        var aborted = context.HttpContext.RequestAborted;
        var keyId = user?.FindFirst(ConsoleSession.AccessKeyClaim)?.Value;
        var stamp = user?.FindFirst(ConsoleSession.PasswordStampClaim)?.Value;
        var valid = user is not null && (
            !string.IsNullOrEmpty(keyId)
                ? await services.GetRequiredService<AccessKeySignIn>().StillValidAsync(keyId, user.Caller().AccountId, aborted).ConfigureAwait(false)
                : !string.IsNullOrEmpty(stamp)
                  && await services.GetRequiredService<ConsolePasswords>().StillValidAsync(user.Caller().AccountId, stamp, aborted).ConfigureAwait(false));
        if (!valid)
        {
            context.RejectPrincipal();
        }
    }
}
