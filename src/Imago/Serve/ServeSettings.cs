using System.Net;
using Imago.Cli;
using Imago.Core.Regions;
using Npgsql;

namespace Imago.Serve;

/// <summary>
/// The options of <c>imago serve</c>, parsed and checked: every mistake is a one-line <see cref="UsageException"/>
/// before anything is opened.
/// </summary>
/// <param name="Urls">Where the API listens (Kestrel URLs; port 0 picks a free port).</param>
/// <param name="DataDirectory">Full path of the data directory (lock, SQLite file, master key, block stores).</param>
/// <param name="ConnectionString">PostgreSQL connection string, or null for SQLite in the data directory.</param>
/// <param name="RegionIds">The regions served.</param>
/// <param name="NbdEndpoint">Where instance disks are served over NBD; null with <c>--nbd off</c>.</param>
/// <param name="InstanceTypesFile">A JSON instance-type catalog, or null for the built-in one.</param>
/// <param name="NbdHost">The host name put in the nbd:// URLs given to clients; null: the listening address.</param>
/// <param name="CopyConcurrency">CopyImage transfers at once per destination region (--copy-concurrency, default 2).</param>
/// <param name="TransferRateMiBPerSecond">Copy and import bandwidth cap in MiB/s (--transfer-rate, default 0 = unlimited).</param>
/// <param name="PriceBookFile">The price book (--price-book), or null for the embedded sample (docs/billing.md).</param>
/// <param name="ClockFile">The opt-in test clock's file (--clock), or null for the system clock (docs/billing.md).</param>
/// <param name="ForwardedProxies">The TLS-terminating proxies whose X-Forwarded-Proto is believed (--forwarded-headers), or null: none.</param>
public sealed record ServeSettings(
    IReadOnlyList<string> Urls,
    string DataDirectory,
    string? ConnectionString,
    IReadOnlyList<string> RegionIds,
    IPEndPoint? NbdEndpoint,
    string? InstanceTypesFile,
    string? NbdHost = null,
    int CopyConcurrency = Imago.Core.ServiceOptions.DefaultCopyConcurrency,
    double TransferRateMiBPerSecond = 0,
    string? PriceBookFile = null,
    string? ClockFile = null,
    IReadOnlyList<IPAddress>? ForwardedProxies = null)
{
    /// <summary>Upper bounds that keep a typo from meaning "thousands of copies at once" or an overflowing rate.</summary>
    public const int MaxCopyConcurrency = 64;

    public const double MaxTransferRateMiBPerSecond = 1_000_000;

    public const string DefaultUrl = "http://127.0.0.1:8080";
    public const string DefaultDataDirectory = "./imago-data";
    public const string DefaultNbd = "127.0.0.1:10809";

    /// <summary>The options every command that opens a service's data takes (serve and admin).</summary>
    public static readonly string[] DataOptions = ["--data", "--db"];

    private static readonly OptionParser Parser = new([.. DataOptions, "--urls", "--regions", "--nbd", "--nbd-host", "--instance-types", "--copy-concurrency", "--transfer-rate", "--price-book", "--clock", "--forwarded-headers"], []);

    public static ServeSettings Parse(IReadOnlyList<string> args)
    {
        var options = Parser.Parse(args);
        if (options.Operands.Count > 0)
        {
            throw new UsageException($"unexpected argument '{options.Operands[0]}' (imago serve takes only options)");
        }

        return new ServeSettings(
            ParseUrls(options.Value("--urls") ?? DefaultUrl),
            DataDirectoryOf(options),
            ConnectionStringOf(options),
            ParseRegions(options.Value("--regions")),
            ParseNbd(options.Value("--nbd") ?? DefaultNbd),
            options.Value("--instance-types") is { } file ? Path.GetFullPath(file) : null,
            ParseNbdHost(options.Value("--nbd-host")),
            ParseCopyConcurrency(options.Value("--copy-concurrency")),
            ParseTransferRate(options.Value("--transfer-rate")),
            FileOption(options, "--price-book"),
            FileOption(options, "--clock"),
            ParseForwardedProxies(options.Value("--forwarded-headers")));
    }

    /// <summary>
    /// --forwarded-headers PROXIES: comma-separated proxy addresses, <c>loopback</c> standing for 127.0.0.1 and ::1.
    /// Only requests from these addresses have their X-Forwarded-Proto applied (anyone else could claim https).
    /// </summary>
    private static IPAddress[]? ParseForwardedProxies(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var proxies = new List<IPAddress>();
        foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry == "loopback")
            {
                proxies.AddRange([IPAddress.Loopback, IPAddress.IPv6Loopback]);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                proxies.Add(address);
            }
            else
            {
                throw new UsageException($"invalid --forwarded-headers entry '{entry}' (proxy IP addresses or 'loopback', comma-separated)");
            }
        }

        return proxies.Count > 0 ? [.. proxies.Distinct()] : throw new UsageException("--forwarded-headers needs at least one proxy address or 'loopback'");
    }

    /// <summary>--data DIR (default ./imago-data) as a full path.</summary>
    public static string DataDirectoryOf(ParsedOptions options)
    {
        var value = options.Value("--data") ?? DefaultDataDirectory;
        return value.Length == 0 ? throw new UsageException("--data needs a directory") : Path.GetFullPath(value);
    }

    /// <summary>--db CONNSTRING checked as an Npgsql connection string (the message never repeats it: it may hold a password).</summary>
    public static string? ConnectionStringOf(ParsedOptions options)
    {
        var value = options.Value("--db");
        if (value is null)
        {
            return null;
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(value);
            return string.IsNullOrEmpty(builder.Host)
                ? throw new UsageException("--db is not a PostgreSQL connection string (expected Host=...;Database=...;Username=...)")
                : value;
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--db is not a PostgreSQL connection string: {e.Message}");
        }
    }

    private static string? FileOption(ParsedOptions options, string name) =>
        options.Value(name) is not { } value ? null
        : value.Length > 0 ? Path.GetFullPath(value)
        : throw new UsageException($"{name} needs a file");

    private static string[] ParseUrls(string value)
    {
        var urls = value.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var url in urls)
        {
            // Plain HTTP only: TLS belongs to a reverse proxy in front (Kestrel would need a certificate setup).
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "http")
            {
                throw new UsageException($"invalid --urls entry '{url}' (expected http://HOST:PORT, e.g. {DefaultUrl}; put TLS in a reverse proxy)");
            }
        }

        return urls.Length > 0 ? urls : throw new UsageException("--urls needs at least one URL");
    }

    private static string[] ParseRegions(string? value)
    {
        if (value is null)
        {
            return [.. RegionCatalog.DefaultRegionIds];
        }

        var regions = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
        try
        {
            _ = new RegionCatalog(regions);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"invalid --regions: {e.Message}");
        }

        return regions;
    }

    private static int ParseCopyConcurrency(string? value) =>
        value is null ? Imago.Core.ServiceOptions.DefaultCopyConcurrency
        : int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            && count is >= 1 and <= MaxCopyConcurrency
            ? count
            : throw new UsageException($"invalid --copy-concurrency '{value}' (copies at once per region, 1-{MaxCopyConcurrency})");

    private static double ParseTransferRate(string? value) =>
        value is null ? 0
        : double.TryParse(value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var rate)
            && rate is >= 0 and <= MaxTransferRateMiBPerSecond
            ? rate
            : throw new UsageException($"invalid --transfer-rate '{value}' (MiB per second for copies and imports, e.g. 50 or 0.5; 0 = unlimited)");

    private static string? ParseNbdHost(string? value) =>
        value is null || Uri.CheckHostName(value) != UriHostNameType.Unknown
            ? value
            : throw new UsageException($"invalid --nbd-host '{value}' (a host name or address clients use to reach the NBD server)");

    private static IPEndPoint? ParseNbd(string value)
    {
        if (value == "off")
        {
            return null;
        }

        var text = value.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1" + value["localhost".Length..] : value;
        return IPEndPoint.TryParse(text, out var endPoint) && text.LastIndexOf(':') > text.LastIndexOf(']')
            ? endPoint
            : throw new UsageException($"invalid --nbd address '{value}' (use ADDR:PORT, e.g. {DefaultNbd}, or 'off')");
    }
}
