using Imago.Formats.Guest;

namespace Imago.Core.Importing.Detection;

/// <summary>
/// Turns a guest report into the image's detection items, compared with what the import declared
/// (docs/api.md "OS detection"). Pure: no I/O.
/// </summary>
internal static class ImageDetectionRules
{
    /// <summary>ImportImage's default Platform: a caller who left it there gets the detected one.</summary>
    private const string DefaultPlatform = "Others Linux";

    /// <param name="declared">The image's Platform, OSType, BootMode and Architecture as the import set them.</param>
    public static ImageDetectionResult Evaluate(GuestReport report, DeclaredOs declared)
    {
        var items = new List<DetectionItem>
        {
            new(DetectionCodes.PartitionTable, report.Scheme switch
            {
                PartitionScheme.Gpt => "GPT",
                PartitionScheme.Mbr => "MBR",
                PartitionScheme.None => "None",
                _ => "Unknown",
            }),
            BootModeItem(report.BootMode, declared.BootMode),
            new(DetectionCodes.FileSystem, string.Join(",", report.Volumes.Select(v => FileSystemName(v.FileSystem)).Where(n => n.Length > 0).Distinct())),
        };

        var osTypeMismatch = report.OSType is { } detectedType && detectedType != declared.OSType;
        items.Add(osTypeMismatch
            ? new(DetectionCodes.OSType, report.OSType!, DetectionCodes.OSTypeMismatch, DetectionCodes.High)
            : new(DetectionCodes.OSType, report.OSType ?? ""));

        var platform = report.OsRelease is { } release ? GuestPlatforms.Of(release) : null;
        var detectedPlatform = platform?.Platform ?? (report.OsRelease is not null ? "Others Linux" : report.OSType == "windows" ? "Windows" : "");
        var platformMismatch = detectedPlatform switch
        {
            "" => false,
            "Windows" => !GuestPlatforms.IsWindows(declared.Platform),
            _ => GuestPlatforms.IsWindows(declared.Platform) || !GuestPlatforms.Matches(declared.Platform, detectedPlatform),
        };
        items.Add(detectedPlatform.Length == 0
            ? new(DetectionCodes.Platform, "", DetectionCodes.UnrecognizedOS, DetectionCodes.Medium)
            : platformMismatch
                ? new(DetectionCodes.Platform, detectedPlatform, DetectionCodes.PlatformMismatch, DetectionCodes.Medium)
                : new(DetectionCodes.Platform, detectedPlatform));

        if (report.OsRelease is { } os)
        {
            items.Add(new(DetectionCodes.OSVersion, os.VersionId));
            items.Add(new(DetectionCodes.OSName, os.PrettyName.Length > 0 ? os.PrettyName : os.Name));
        }

        if (platform is not { } known || platformMismatch || osTypeMismatch)
        {
            return new ImageDetectionResult(items, null, null, null);
        }

        // A detected distribution names the image when the import left it generic.
        var (osName, osNameEn) = GuestPlatforms.DisplayNames(known.Product, report.OsRelease!.VersionId, declared.Architecture);
        var fill = declared.Platform == DefaultPlatform ? known.Platform : null;
        return new ImageDetectionResult(items, fill, osName, osNameEn);
    }

    private static DetectionItem BootModeItem(GuestBootMode detected, string declared)
    {
        var (value, mismatch) = detected switch
        {
            GuestBootMode.Bios => ("BIOS", declared == "UEFI"),
            GuestBootMode.Uefi => ("UEFI", declared == "BIOS"),
            GuestBootMode.Both => ("BIOS,UEFI", false),
            _ => ("", false),
        };
        return mismatch ? new(DetectionCodes.BootMode, value, DetectionCodes.BootModeMismatch, DetectionCodes.High) : new(DetectionCodes.BootMode, value);
    }

    private static string FileSystemName(FileSystemKind kind) => kind switch
    {
        FileSystemKind.Unknown => "",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>The attributes an import declared, which detection checks.</summary>
internal sealed record DeclaredOs(string Platform, string OSType, string BootMode, string Architecture);
