using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Imago.Core.Billing;

/// <summary>The prices of one region, in one currency.</summary>
/// <param name="Currency">ISO 4217 code (three capital letters).</param>
/// <param name="InstanceTypes">Pay-as-you-go price per instance-hour, by instance type.</param>
/// <param name="SnapshotPerGiBMonth">Snapshot capacity price per GiB-month.</param>
public sealed record RegionPrices(string Currency, IReadOnlyDictionary<string, decimal> InstanceTypes, decimal SnapshotPerGiBMonth);

/// <summary>
/// The deployment's prices (<c>imago serve --price-book FILE</c>; default: the embedded sample, docs/billing.md).
/// Prices live here, never in code. A region without its own entry uses the <c>"*"</c> entry.
/// </summary>
public sealed partial class PriceBook
{
    public const string AnyRegion = "*";
    public const string SampleResourceName = "Imago.Core.Billing.SamplePriceBook.json";

    private readonly IReadOnlyDictionary<string, RegionPrices> _regions;

    public PriceBook(IReadOnlyDictionary<string, RegionPrices> regions, int hoursPerMonth = 720)
    {
        _regions = regions;
        HoursPerMonth = hoursPerMonth;
    }

    /// <summary>The hours a GiB-month price is spread over (720 = 30 days, as ECS prorates snapshot capacity).</summary>
    public int HoursPerMonth { get; }

    /// <summary>Where it came from, for the start line and errors.</summary>
    public string Source { get; private init; } = "built-in sample";

    /// <summary>The prices of <paramref name="regionId"/>, or null when neither it nor "*" has an entry.</summary>
    public RegionPrices? For(string regionId) => _regions.GetValueOrDefault(regionId) ?? _regions.GetValueOrDefault(AnyRegion);

    /// <summary>The instance type's hourly price in the region, or null when the book has none.</summary>
    public decimal? InstanceHourly(string regionId, string instanceType) =>
        For(regionId) is { } prices && prices.InstanceTypes.TryGetValue(instanceType, out var price) ? price : null;

    /// <summary>
    /// Checks the book covers what the service offers: every region served, and every instance type in each.
    /// Throws <see cref="InvalidDataException"/> with one readable line.
    /// </summary>
    public void Validate(IEnumerable<string> regionIds, IEnumerable<string> instanceTypes)
    {
        var types = instanceTypes.ToList();
        foreach (var region in regionIds)
        {
            var prices = For(region) ?? throw new InvalidDataException($"price book {Source}: no prices for region {region} (add it or a \"*\" entry)");
            if (types.FirstOrDefault(t => !prices.InstanceTypes.ContainsKey(t)) is { } missing)
            {
                throw new InvalidDataException($"price book {Source}: region {region} has no price for instance type {missing}");
            }
        }
    }

    /// <summary>The sample shipped with the binary (docs/billing.md shows it).</summary>
    public static async Task<PriceBook> LoadSampleAsync(CancellationToken cancellationToken)
    {
        await using var stream = typeof(PriceBook).Assembly.GetManifestResourceStream(SampleResourceName)
            ?? throw new InvalidOperationException("The sample price book is not embedded.");
        return await ParseAsync(stream, "built-in sample", cancellationToken).ConfigureAwait(false);
    }

    public static async Task<PriceBook> LoadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = File.OpenRead(path);
            return await ParseAsync(file, path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"price book {path}: {e.Message}", e);
        }
    }

    public static async Task<PriceBook> ParseAsync(Stream json, string source, CancellationToken cancellationToken)
    {
        PriceBookFile? file;
        try
        {
            file = await JsonSerializer.DeserializeAsync<PriceBookFile>(json, Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"price book {source}: not valid JSON for a price book ({e.Message})", e);
        }

        if (file?.Regions is not { Count: > 0 } regions)
        {
            throw new InvalidDataException($"price book {source}: \"regions\" is missing or empty");
        }

        if (file.HoursPerMonth is < 1 or > 1000)
        {
            throw new InvalidDataException($"price book {source}: \"hoursPerMonth\" must be 1-1000 (720 = 30 days)");
        }

        var parsed = new Dictionary<string, RegionPrices>(StringComparer.Ordinal);
        foreach (var (region, entry) in regions)
        {
            var where = $"price book {source}: region {region}";
            if (entry is null)
            {
                throw new InvalidDataException($"{where}: null entry");
            }

            if (region != AnyRegion && !Regions.RegionCatalog.IsRegionId(region))
            {
                throw new InvalidDataException($"{where}: not a region id (or \"*\")");
            }

            if (entry.Currency is null || !CurrencyPattern().IsMatch(entry.Currency))
            {
                throw new InvalidDataException($"{where}: \"currency\" must be an ISO 4217 code like USD");
            }

            if (entry.SnapshotPerGiBMonth is not { } snapshot || snapshot < 0)
            {
                throw new InvalidDataException($"{where}: \"snapshotPerGiBMonth\" must be a price of 0 or more");
            }

            var types = entry.InstanceTypes ?? [];
            if (types.FirstOrDefault(t => t.Value < 0) is { Key: { } negative })
            {
                throw new InvalidDataException($"{where}: instance type {negative} has a negative price");
            }

            parsed[region] = new RegionPrices(entry.Currency, types, snapshot);
        }

        return new PriceBook(parsed, file.HoursPerMonth) { Source = source };
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();

    private sealed class PriceBookFile
    {
        public int HoursPerMonth { get; set; } = 720;

        public Dictionary<string, RegionEntry?>? Regions { get; set; }
    }

    private sealed class RegionEntry
    {
        public string? Currency { get; set; }

        public Dictionary<string, decimal>? InstanceTypes { get; set; }

        public decimal? SnapshotPerGiBMonth { get; set; }
    }
}
