using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Imago.WebConsole.Hosting;

/// <summary>The console's stylesheet and script, embedded in the assembly and served from <c>/console/assets/</c>.</summary>
internal static class ConsoleAssets
{
    private static readonly (string Name, string ContentType)[] Files =
    [
        ("console.css", "text/css; charset=utf-8"),
        ("console.js", "text/javascript; charset=utf-8"),
    ];

    public static void Map(WebApplication app)
    {
        foreach (var (name, contentType) in Files)
        {
            var bytes = Read(name);
            app.MapGet($"{ConsoleRegistration.PathBase}/assets/{name}", (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "public, max-age=300";
                return Results.Bytes(bytes, contentType);
            });
        }
    }

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Imago.Console.Assets." + name)
            ?? throw new InvalidOperationException($"the console asset {name} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
