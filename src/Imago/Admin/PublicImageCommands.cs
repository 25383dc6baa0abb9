using System.Globalization;
using System.Text.Json;
using Imago.Cli;
using Imago.Core.Images;
using Imago.Core.Images.PublicCatalog;
using Imago.Core.Images.Seeding;
using Imago.Core.Regions;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Formats;
using Imago.Formats.Conversion;
using Imago.Img;
using Imago.Serve;

namespace Imago.Admin;

/// <summary>
/// <c>imago admin public-image list|import</c> (docs/public-images.md). Import writes the block stores, which
/// <c>imago serve</c> holds open, so it takes the data directory's lock: run it while the service is stopped.
/// </summary>
public static class PublicImageCommands
{
    private static readonly string[] ImportOptions =
    [
        .. ServeSettings.DataOptions, "--regions", "--id", "--name", "--description", "--platform", "--os-type", "--architecture",
        "--boot-mode", "--os-name", "--os-name-en", "--family", "--format",
    ];

    public static CommandGroup Create() => new("public-image", "list public images; import a real image file as a public image in every region",
    [
        new ListCommand(),
        new ImportCommand(),
    ]);

    /// <summary>The regions whose stores exist under DATA/regions (what serve created), else serve's defaults.</summary>
    private static RegionCatalog RegionsOf(ParsedOptions options, string dataDirectory) => RegionsOf(options.Value("--regions"), dataDirectory);

    /// <summary><paramref name="list"/> (comma-separated) or, when null, the regions whose stores exist, else serve's defaults.</summary>
    internal static RegionCatalog RegionsOf(string? list, string dataDirectory)
    {
        var ids = list is not null
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : Directory.Exists(Path.Combine(dataDirectory, "regions"))
                ? Directory.GetDirectories(Path.Combine(dataDirectory, "regions")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray()
                : [];
        try
        {
            return new RegionCatalog(ids.Length > 0 ? ids : RegionCatalog.DefaultRegionIds);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"invalid --regions: {e.Message}");
        }
    }

    private sealed class ListCommand : ICommand
    {
        private readonly OptionParser _parser = new(ServeSettings.DataOptions, ["--json"]);

        public string Name => "list";

        public string Summary => "[--data DIR] [--db CONN] [--json]: the public images and the regions that have them";

        public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
        {
            var options = _parser.Parse(args);
            if (options.Operands.Count > 0)
            {
                throw new UsageException("usage: imago admin public-image list [--data DIR] [--db CONN] [--json]");
            }

            var dataDirectory = ServeSettings.DataDirectoryOf(options);
            var connectionString = ServeSettings.ConnectionStringOf(options);
            if (connectionString is null && !File.Exists(new DatabaseOptions(dataDirectory).SqlitePath))
            {
                throw new UsageException($"no Imago database in {dataDirectory} (wrong --data? public images are seeded by imago serve)");
            }

            var database = await DatabaseOpener.OpenAsync(dataDirectory, connectionString, cancellationToken).ConfigureAwait(false);
            var images = await PublicImageImporter.ListAsync(database, cancellationToken).ConfigureAwait(false);
            if (options.Has("--json"))
            {
                var json = images.Select(e => new
                {
                    ImageId = e.Image.Id,
                    ImageName = e.Image.Name,
                    e.Image.Platform,
                    e.Image.OSType,
                    e.Image.OSNameEn,
                    e.Image.Architecture,
                    e.Image.BootMode,
                    Size = e.Image.SizeGiB,
                    ImageFamily = e.Image.Family,
                    e.Image.Status,
                    Regions = e.Regions,
                });
                await console.Out.WriteLineAsync(JsonSerializer.Serialize(json)).ConfigureAwait(false);
                return 0;
            }

            foreach (var (image, regions) in images)
            {
                await console.Out.WriteLineAsync(string.Join('\t', image.Id, image.Platform, image.Architecture, image.BootMode,
                    image.SizeGiB.ToString(CultureInfo.InvariantCulture) + "GiB", image.Family, string.Join(',', regions))).ConfigureAwait(false);
            }

            return 0;
        }
    }

    private sealed class ImportCommand : ICommand
    {
        private readonly OptionParser _parser = new(ImportOptions, ["-p"]);

        public string Name => "import";

        public string Summary => "FILE --id ID [--name N] [--platform P] [--os-type linux|windows] [--architecture x86_64|arm64|i386] "
            + "[--boot-mode BIOS|UEFI|UEFI-Preferred] [--os-name-en N] [--os-name N] [--family F] [--description D] [--format raw|qcow2|vhd] "
            + "[--regions R1,R2] [--data DIR] [--db CONN] [-p]: add or replace a public image in every region (service stopped; -p shows progress)";

        public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
        {
            var options = _parser.Parse(args);
            if (options.Operands.Count != 1 || options.Value("--id") is not { } imageId)
            {
                throw new UsageException("usage: imago admin public-image import FILE --id ID [options] (see imago admin public-image)");
            }

            if (!IsPublicImageId(imageId))
            {
                throw new UsageException($"--id '{Printable(imageId)}' is not a public image id: 1-128 characters from [A-Za-z0-9._-], "
                    + "starting with a letter or digit, not m-... (custom image ids), e.g. ubuntu_22_04_x64_20G_alibase_20240130.vhd");
            }

            ImageFormat? format = null;
            if (options.Value("--format") is { } formatName)
            {
                format = ImageFormatNames.TryParse(formatName, out var parsed) && parsed.IsAccepted()
                    ? parsed
                    : throw new UsageException($"--format must be raw, qcow2 or vhd, not '{Printable(formatName)}'");
            }

            var file = Path.GetFullPath(options.Operands[0]);
            var dataDirectory = ServeSettings.DataDirectoryOf(options);
            var regions = RegionsOf(options, dataDirectory);
            using var dataLock = DataDirectoryLock.Acquire(dataDirectory);
            var database = await DatabaseOpener.OpenAsync(dataDirectory, ServeSettings.ConnectionStringOf(options), cancellationToken).ConfigureAwait(false);
            var stores = await RegionStores.OpenAsync(dataDirectory, regions, cancellationToken).ConfigureAwait(false);
            await using (stores.ConfigureAwait(false))
            {
                var importer = new PublicImageImporter(database, stores);
                var definition = Describe(imageId, options, await importer.FindAsync(imageId, cancellationToken).ConfigureAwait(false));
                Func<string, IProgress<ConvertProgress>?>? progress = options.Has("-p")
                    ? region =>
                    {
                        console.Error.WriteLine($"{region}:");
                        return new ProgressPrinter(console);
                    }
                    : null;
                var done = await importer.ImportAsync(file, format, definition, progress, cancellationToken).ConfigureAwait(false);
                foreach (var (regionId, snapshotId) in done)
                {
                    await console.Out.WriteLineAsync($"{imageId}\t{regionId}\t{snapshotId}").ConfigureAwait(false);
                }
            }

            return 0;
        }

        /// <summary>The new entry: the given options over the existing entry's values (or the defaults of a new one).</summary>
        private static PublicImageDefinition Describe(string imageId, ParsedOptions options, PublicImageDefinition? existing)
        {
            var platform = options.Value("--platform") ?? existing?.Platform ?? "Others Linux";
            var osNameEn = options.Value("--os-name-en") ?? existing?.OSNameEn ?? platform;
            var family = options.Value("--family") ?? existing?.ImageFamily ?? "";
            if (family.Length > 128 || family.Any(char.IsControl))
            {
                throw new UsageException("--family: at most 128 printable characters (public families look like acs:ubuntu_22_04_x64)");
            }

            var description = options.Value("--description") ?? existing?.Description ?? "";
            if (description.Length > 0 && !ImageNameRules.IsValidDescription(description))
            {
                throw new UsageException("--description: 2 to 256 characters, not starting with http:// or https://");
            }

            return new PublicImageDefinition(
                imageId,
                Bounded("--platform", platform),
                OneOf("--os-type", options.Value("--os-type") ?? existing?.OSType ?? "linux", "linux", "windows"),
                Bounded("--os-name", options.Value("--os-name") ?? existing?.OSName ?? osNameEn),
                Bounded("--os-name-en", osNameEn),
                OneOf("--architecture", options.Value("--architecture") ?? existing?.Architecture ?? "x86_64", "x86_64", "arm64", "i386"),
                OneOf("--boot-mode", options.Value("--boot-mode") ?? existing?.BootMode ?? "BIOS", "BIOS", "UEFI", "UEFI-Preferred"),
                SizeGiB: 0, // taken from the file
                family,
                ReleaseDate: DateTime.UtcNow,
                existing?.IsSupportCloudinit ?? true,
                existing?.IsSupportIoOptimized ?? true,
                existing?.NvmeSupport ?? "supported",
                existing?.ImdsSupport ?? "v2",
                description)
            {
                ImageName = options.Value("--name") is { } name ? Bounded("--name", name) : existing?.ImageName ?? imageId,
            };
        }

        private static bool IsPublicImageId(string id) =>
            id.Length is >= 1 and <= 128 && char.IsAsciiLetterOrDigit(id[0]) && !id.StartsWith("m-", StringComparison.Ordinal)
            && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

        private static string OneOf(string option, string value, params string[] allowed) =>
            allowed.FirstOrDefault(a => a.Equals(value, StringComparison.OrdinalIgnoreCase))
            ?? throw new UsageException($"{option} must be one of {string.Join(", ", allowed)}, not '{Printable(value)}'");

        private static string Bounded(string option, string value) =>
            value.Length is >= 1 and <= 128 && !value.Any(char.IsControl) ? value : throw new UsageException($"{option}: 1 to 128 printable characters");

        private static string Printable(string value) => Imago.Core.Errors.EcsErrors.Printable(value);
    }
}
