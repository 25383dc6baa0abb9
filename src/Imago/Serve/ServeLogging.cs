using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Imago.Serve;

/// <summary>
/// The console log of <c>imago serve</c>: one line per event with a UTC timestamp and the category. The request
/// line of the protocol pipeline already carries RequestId, action, key, account, status, code and duration, so
/// the default text form leaves out ASP.NET Core's scopes (connection, trace and span ids), which would triple
/// every line. <c>IMAGO_LOG_FORMAT=json</c> writes JSON lines instead, with every scope as a field, for a log
/// collector. EF Core's per-command SQL and ASP.NET Core's per-request chatter are kept at Warning.
/// </summary>
internal static class ServeLogging
{
    public const string FormatVariable = "IMAGO_LOG_FORMAT";

    public static void Configure(ILoggingBuilder logging)
    {
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        if (string.Equals(Environment.GetEnvironmentVariable(FormatVariable), "json", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
            return;
        }

        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.None);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = false;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
    }
}
