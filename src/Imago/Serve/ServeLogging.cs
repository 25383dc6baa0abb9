using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Imago.Serve;

/// <summary>
/// The console log of <c>imago serve</c>: one line per event, UTC timestamps, the category and structured
/// scopes (the RequestId scope the protocol pipeline opens). EF Core's per-command SQL and ASP.NET Core's
/// per-request chatter are kept at Warning: the request log is the protocol pipeline's own line.
/// </summary>
internal static class ServeLogging
{
    public static void Configure(ILoggingBuilder logging)
    {
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
    }
}
