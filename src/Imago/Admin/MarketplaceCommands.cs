using System.Globalization;
using System.Text.Json;
using Imago.Cli;
using Imago.Core.Marketplace;
using Imago.Core.Regions;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Formats;
using Imago.Formats.Conversion;
using Imago.Img;
using Imago.Serve;

namespace Imago.Admin;

/// <summary>
/// <c>imago admin marketplace publish|withdraw|list|subscribe|unsubscribe</c> (docs/marketplace.md). Publish writes
/// the block stores, which <c>imago serve</c> holds open, so it takes the data directory's lock: run it while the
/// service is stopped. The other commands change only the database and work while serve runs (it reads products
/// and subscriptions on every request).
/// </summary>
public static class MarketplaceCommands
{
    public static CommandGroup Create() => new("marketplace", "publish and withdraw Marketplace products; subscribe accounts to them",
    [
        new PublishCommand(),
        new WithdrawCommand(),
        new ListCommand(),
        new SubscriptionCommand("subscribe", subscribe: true),
        new SubscriptionCommand("unsubscribe", subscribe: false),
    ]);

    private static async Task<ImagoDatabase> OpenDatabaseAsync(ParsedOptions options, CancellationToken cancellationToken)
    {
        var dataDirectory = ServeSettings.DataDirectoryOf(options);
        var connectionString = ServeSettings.ConnectionStringOf(options);
        if (connectionString is null && !File.Exists(new DatabaseOptions(dataDirectory).SqlitePath))
        {
            throw new UsageException($"no Imago database in {dataDirectory} (wrong --data? run imago serve once first)");
        }

        return await DatabaseOpener.OpenAsync(dataDirectory, connectionString, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Withdraw, list and (un)subscribe: the database only, no lock (serve may run).</summary>
    private static async Task<MarketplaceCatalog> CatalogAsync(ParsedOptions options, CancellationToken cancellationToken) =>
        new(await OpenDatabaseAsync(options, cancellationToken).ConfigureAwait(false), TimeProvider.System);

    private static object Json(MarketplaceProductEntity p) => new
    {
        p.ProductCode,
        p.Name,
        p.Vendor,
        ImageVersion = p.ImageVersion,
        p.Description,
        p.Status,
        p.RequiresSubscription,
        p.Currency,
        HourlyPrice = PriceText(p.HourlyPrice),
        MonthlyPrice = PriceText(p.MonthlyPrice),
        RegionIds = MarketplaceRules.RegionsOf(p),
        p.ImageId,
        PublishedAt = p.PublishedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        WithdrawnAt = p.WithdrawnAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
    };

    /// <summary>A price without the trailing zeros the database's fixed scale adds (0.500000 → 0.5).</summary>
    private static string PriceText(decimal price) => price.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Line(MarketplaceProductEntity p) => string.Join('\t', p.ProductCode, p.ImageId, p.Status, p.ImageVersion,
        $"{PriceText(p.HourlyPrice)} {p.Currency}/h", $"{PriceText(p.MonthlyPrice)} {p.Currency}/month",
        p.RequiresSubscription ? "subscription" : "open", p.RegionIds, p.Vendor, p.Name);

    private static async Task<int> PrintAsync(CommandConsole console, ParsedOptions options, MarketplaceProductEntity product)
    {
        await console.Out.WriteLineAsync(options.Has("--json") ? JsonSerializer.Serialize(Json(product)) : Line(product)).ConfigureAwait(false);
        return 0;
    }

    private sealed class PublishCommand : ICommand
    {
        private readonly OptionParser _parser = new(
            [
                .. ServeSettings.DataOptions, "--product-code", "--name", "--vendor", "--version", "--description", "--regions", "--hourly-price",
                "--monthly-price", "--currency", "--from-image", "--format", "--platform", "--os-type", "--architecture", "--boot-mode",
            ],
            ["--requires-subscription", "--json", "-p"]);

        public string Name => "publish";

        public string Summary => "[FILE | --from-image REGION:IMAGE_ID] --product-code CODE --name N --vendor V --version VER "
            + "[--description D] [--regions R1,R2] [--hourly-price P] [--monthly-price P] [--currency USD] [--requires-subscription] "
            + "[--format raw|qcow2|vhd] [--platform P] [--os-type linux|windows] [--architecture x86_64|arm64|i386] [--boot-mode BIOS|UEFI|UEFI-Preferred] "
            + "[--data DIR] [--db CONN] [--json] [-p]: publish a product from an image file or a custom image (service stopped)";

        public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
        {
            var options = _parser.Parse(args);
            var fromImage = options.Value("--from-image");
            if ((fromImage is null) != (options.Operands.Count == 1) || options.Operands.Count > 1)
            {
                throw new UsageException("usage: imago admin marketplace publish FILE|--from-image REGION:IMAGE_ID --product-code CODE --name N --vendor V --version VER [options]");
            }

            var dataDirectory = ServeSettings.DataDirectoryOf(options);
            var regions = PublicImageCommands.RegionsOf(null, dataDirectory);
            var definition = Definition(options, regions);
            using var dataLock = DataDirectoryLock.Acquire(dataDirectory);
            var database = await OpenDatabaseAsync(options, cancellationToken).ConfigureAwait(false);
            var stores = await RegionStores.OpenAsync(dataDirectory, regions, cancellationToken).ConfigureAwait(false);
            await using (stores.ConfigureAwait(false))
            {
                var service = new MarketplacePublisher(database, stores, regions, TimeProvider.System);
                try
                {
                    var product = fromImage is not null
                        ? await PublishFromImageAsync(service, definition, fromImage, cancellationToken).ConfigureAwait(false)
                        : await service.PublishFromFileAsync(definition, Path.GetFullPath(options.Operands[0]), Format(options), Attributes(options),
                            Progress(options, console), cancellationToken).ConfigureAwait(false);
                    return await PrintAsync(console, options, product).ConfigureAwait(false);
                }
                catch (Exception e) when (e is MarketplaceException or InvalidDataException or FileNotFoundException)
                {
                    throw new UsageException(e.Message);
                }
            }
        }

        private static Task<MarketplaceProductEntity> PublishFromImageAsync(MarketplacePublisher service, ProductDefinition definition, string fromImage,
            CancellationToken cancellationToken)
        {
            var colon = fromImage.IndexOf(':', StringComparison.Ordinal);
            return colon <= 0 || colon == fromImage.Length - 1
                ? throw new UsageException("--from-image: REGION:IMAGE_ID, e.g. cn-hangzhou:m-bp1abc...")
                : service.PublishFromImageAsync(definition, fromImage[..colon], fromImage[(colon + 1)..], cancellationToken);
        }

        private static ProductDefinition Definition(ParsedOptions options, RegionCatalog regions)
        {
            string Required(string option) => options.Value(option) ?? throw new UsageException($"{option} is required");
            var published = options.Value("--regions") is { } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [.. regions.RegionIds.Order(StringComparer.Ordinal)];
            return new ProductDefinition(
                Required("--product-code"),
                Required("--name"),
                Required("--vendor"),
                Required("--version"),
                options.Value("--description") ?? "",
                published,
                Price(options, "--hourly-price"),
                Price(options, "--monthly-price"),
                options.Value("--currency") ?? "USD",
                options.Has("--requires-subscription"));
        }

        private static decimal Price(ParsedOptions options, string option) =>
            options.Value(option) is not { } text ? 0m
            : decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var price) ? price
            : throw new UsageException($"{option}: a decimal number such as 0.089, not '{Imago.Core.Errors.EcsErrors.Printable(text)}'");

        private static ImageFormat? Format(ParsedOptions options) =>
            options.Value("--format") is not { } name ? null
            : ImageFormatNames.TryParse(name, out var parsed) && parsed.IsAccepted() ? parsed
            : throw new UsageException($"--format must be raw, qcow2 or vhd, not '{Imago.Core.Errors.EcsErrors.Printable(name)}'");

        private static ProductImageAttributes Attributes(ParsedOptions options)
        {
            var defaults = ProductImageAttributes.Default;
            var platform = options.Value("--platform") ?? defaults.Platform;
            if (platform.Length is 0 or > 128 || platform.Any(char.IsControl))
            {
                throw new UsageException("--platform: 1 to 128 printable characters");
            }

            return new ProductImageAttributes(
                platform,
                OneOf("--os-type", options.Value("--os-type") ?? defaults.OSType, "linux", "windows"),
                OneOf("--architecture", options.Value("--architecture") ?? defaults.Architecture, "x86_64", "arm64", "i386"),
                OneOf("--boot-mode", options.Value("--boot-mode") ?? defaults.BootMode, "BIOS", "UEFI", "UEFI-Preferred"));
        }

        private static string OneOf(string option, string value, params string[] allowed) =>
            allowed.FirstOrDefault(a => a.Equals(value, StringComparison.OrdinalIgnoreCase))
            ?? throw new UsageException($"{option} must be one of {string.Join(", ", allowed)}, not '{Imago.Core.Errors.EcsErrors.Printable(value)}'");

        private static Func<string, IProgress<ConvertProgress>?>? Progress(ParsedOptions options, CommandConsole console) =>
            options.Has("-p")
                ? region =>
                {
                    console.Error.WriteLine($"{region}:");
                    return new ProgressPrinter(console);
                }
                : null;
    }

    private sealed class WithdrawCommand : ICommand
    {
        private readonly OptionParser _parser = new(ServeSettings.DataOptions, ["--json"]);

        public string Name => "withdraw";

        public string Summary => "PRODUCT_CODE [--data DIR] [--db CONN] [--json]: stop new launches of the product (running instances go on)";

        public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
        {
            var options = _parser.Parse(args);
            if (options.Operands.Count != 1)
            {
                throw new UsageException("usage: imago admin marketplace withdraw PRODUCT_CODE [--data DIR] [--db CONN] [--json]");
            }

            var service = await CatalogAsync(options, cancellationToken).ConfigureAwait(false);
            try
            {
                return await PrintAsync(console, options, await service.WithdrawAsync(options.Operands[0], cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }
            catch (MarketplaceException e)
            {
                throw new UsageException(e.Message);
            }
        }
    }

    private sealed class ListCommand : ICommand
    {
        private readonly OptionParser _parser = new(ServeSettings.DataOptions, ["--json"]);

        public string Name => "list";

        public string Summary => "[--data DIR] [--db CONN] [--json]: the products, their prices, regions and status";

        public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
        {
            var options = _parser.Parse(args);
            if (options.Operands.Count > 0)
            {
                throw new UsageException("usage: imago admin marketplace list [--data DIR] [--db CONN] [--json]");
            }

            var service = await CatalogAsync(options, cancellationToken).ConfigureAwait(false);
            var products = await service.ListAsync(cancellationToken).ConfigureAwait(false);
            if (options.Has("--json"))
            {
                await console.Out.WriteLineAsync(JsonSerializer.Serialize(products.Select(Json))).ConfigureAwait(false);
                return 0;
            }

            foreach (var product in products)
            {
                await console.Out.WriteLineAsync(Line(product)).ConfigureAwait(false);
            }

            return 0;
        }
    }

    private sealed class SubscriptionCommand(string verb, bool subscribe) : ICommand
    {
        private readonly OptionParser _parser = new(ServeSettings.DataOptions, ["--json"]);

        public string Name => verb;

        public string Summary => $"PRODUCT_CODE ACCOUNT [--data DIR] [--db CONN] [--json]: "
            + (subscribe ? "subscribe an account (name or id) to a product" : "end an account's subscription (running instances go on)");

        public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
        {
            var options = _parser.Parse(args);
            if (options.Operands.Count != 2)
            {
                throw new UsageException($"usage: imago admin marketplace {verb} PRODUCT_CODE ACCOUNT [--data DIR] [--db CONN] [--json]");
            }

            var (productCode, account) = (options.Operands[0], options.Operands[1]);
            var service = await CatalogAsync(options, cancellationToken).ConfigureAwait(false);
            long accountId;
            try
            {
                accountId = subscribe
                    ? await service.SubscribeAsync(account, productCode, cancellationToken).ConfigureAwait(false)
                    : await service.UnsubscribeAsync(account, productCode, cancellationToken).ConfigureAwait(false);
            }
            catch (MarketplaceException e)
            {
                throw new UsageException(e.Message);
            }

            var status = subscribe ? "Subscribed" : "Unsubscribed";
            await console.Out.WriteLineAsync(options.Has("--json")
                ? JsonSerializer.Serialize(new { ProductCode = productCode, AccountId = accountId.ToString(CultureInfo.InvariantCulture), Status = status })
                : $"{productCode}\t{accountId}\t{status}").ConfigureAwait(false);
            return 0;
        }
    }
}
