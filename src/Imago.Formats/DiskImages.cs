using Imago.Formats.Checking;
using Imago.Formats.Inspection;
using Imago.Formats.IO;
using Imago.Formats.Qcow2;
using Imago.Formats.Raw;
using Imago.Formats.Vhd;

namespace Imago.Formats;

/// <summary>
/// The entry point of the format engine: open (after inspection), create and check images.
/// </summary>
public static class DiskImages
{
    /// <summary>Opens a file as a disk image. The inspector runs first; nothing else touches unvetted bytes.</summary>
    public static async ValueTask<IDiskImage> OpenAsync(string path, ImageFormat? expected = null,
        CancellationToken cancellationToken = default)
    {
        var source = FileByteSource.Open(path);
        try
        {
            return await OpenAsync(source, expected, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens <paramref name="source"/> as a disk image after the inspector has cleared it.
    /// The returned image owns <paramref name="source"/> and disposes it.
    /// </summary>
    public static async ValueTask<IDiskImage> OpenAsync(IByteSource source, ImageFormat? expected = null,
        CancellationToken cancellationToken = default)
    {
        var inspection = await ImageInspector.InspectAsync(source, expected, cancellationToken).ConfigureAwait(false);
        return inspection.Format switch
        {
            ImageFormat.Raw => await RawDiskImage.OpenAsync(source, cancellationToken).ConfigureAwait(false),
            ImageFormat.Qcow2 => await Qcow2DiskImage.OpenAsync(source, cancellationToken).ConfigureAwait(false),
            ImageFormat.Vhd => await VhdDiskImage.OpenAsync(source, cancellationToken).ConfigureAwait(false),
            var other => throw ImageFormatException.Unsupported(other),
        };
    }

    /// <summary>Creates a new image file (replacing any file at <paramref name="path"/>) for a one-pass write.</summary>
    public static ValueTask<IDiskImageWriter> CreateAsync(string path, ImageFormat format, long virtualSize,
        ImageCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= ImageCreateOptions.Default;
        if (virtualSize < 0)
        {
            throw new ImageFormatException(ImageErrorKind.InvalidOption, "the virtual size cannot be negative");
        }

        return format switch
        {
            ImageFormat.Raw => RawImageWriter.CreateAsync(path, virtualSize, options, cancellationToken),
            ImageFormat.Qcow2 => Qcow2ImageWriter.CreateAsync(path, virtualSize, options, cancellationToken),
            ImageFormat.Vhd => VhdImageWriter.CreateAsync(path, virtualSize, options, cancellationToken),
            _ => throw new ImageFormatException(ImageErrorKind.InvalidOption,
                $"cannot write {format.DisplayName()} images; the output format must be raw, qcow2 or vpc (VHD)"),
        };
    }

    /// <summary>
    /// Checks an image's metadata for corruption and leaks. Returns null for formats without
    /// metadata to check (raw), as qemu-img does.
    /// </summary>
    public static async ValueTask<CheckReport?> CheckAsync(IByteSource source, ImageFormat? expected = null,
        CancellationToken cancellationToken = default)
    {
        InspectionResult inspection;
        try
        {
            inspection = await ImageInspector.InspectAsync(source, expected, cancellationToken).ConfigureAwait(false);
        }
        catch (ImageFormatException e) when (e.Format == ImageFormat.Qcow2 && e.Kind is ImageErrorKind.Corrupt or ImageErrorKind.Truncated
            && expected is null or ImageFormat.Qcow2)
        {
            // Finding corruption is what check is for: report it (exit code 2) instead of refusing the file.
            var report = await Qcow2Checker.CheckAsync(source, cancellationToken).ConfigureAwait(false);
            return report with { Corruptions = Math.Max(1, report.Corruptions), Messages = [e.Message, .. report.Messages] };
        }

        return inspection.Format switch
        {
            ImageFormat.Qcow2 => await Qcow2Checker.CheckAsync(source, cancellationToken).ConfigureAwait(false),
            ImageFormat.Vhd => await VhdChecker.CheckAsync(source, cancellationToken).ConfigureAwait(false),
            _ => null,
        };
    }
}
