using Imago.Formats.IO;
using Imago.Formats.Vhd;
using static Imago.Formats.Inspection.BigEndian;

namespace Imago.Formats.Inspection;

/// <summary>
/// Detects VHD ("vpc") both ways it can sit in a file: a footer copy at offset 0 (dynamic and differencing disks)
/// and a footer only in the last sector (fixed disks, which oslo.utils' inspector misses and would call raw).
/// Validation follows qemu's vpc_open and adds the header checksum and overlap checks. The structures are parsed
/// by the VHD folder (<see cref="VhdFooter"/>, <see cref="VhdDynamicHeader"/>, <see cref="VhdSizeRule"/>); every
/// check on their fields is the inspector's own, made before any reader trusts them.
/// </summary>
internal static class VhdInspector
{
    private const ImageFormat F = ImageFormat.Vhd;
    private const int FooterSize = VhdConstants.FooterSize;
    private const int DynamicHeaderSize = VhdConstants.DynamicHeaderSize;
    private const int BatChunkEntries = 16 * 1024;

    /// <summary>A footer copy at 0 in a file longer than one sector (or a file cut inside that first footer).</summary>
    public static FormatMatch? MatchAtStart(InspectionContext context) =>
        (VhdFooter.HasCookie(context.Head.Span) && !IsSingleSector(context))
        || (context.Head.Length < FooterSize && context.Head.Span.StartsWith(VhdConstants.FooterCookie))
            ? new FormatMatch(Signature.VhdAtStart, F, "VHD", ValidateAtStartAsync)
            : null;

    /// <summary>
    /// Any file whose last sector carries the VHD cookie claims to be a fixed VHD. A damaged footer there is refused
    /// rather than silently served as raw, since qemu -f vpc would refuse it too.
    /// </summary>
    /// <remarks>A 512-byte file is an empty fixed disk: its only sector is the end footer (as the VHD reader sees it).</remarks>
    public static FormatMatch? MatchAtEnd(InspectionContext context) =>
        VhdFooter.HasCookie(context.Tail.Span) && (!VhdFooter.HasCookie(context.Head.Span) || IsSingleSector(context))
            ? new FormatMatch(Signature.VhdAtEnd, F, "VHD (fixed)", ValidateAtEndAsync)
            : null;

    private static bool IsSingleSector(InspectionContext context) => context.Length == FooterSize;

    private static ValueTask<InspectionResult> ValidateAtEndAsync(InspectionContext context, CancellationToken cancellationToken)
    {
        var footer = ParseFooter(context.Tail.Span);
        switch (footer.DiskType)
        {
            case VhdDiskType.Differencing:
                throw Differencing();
            case VhdDiskType.Dynamic when IsSingleSector(context):
                throw ImageFormatException.Truncated(F, "the dynamic disk header");
            case VhdDiskType.Dynamic:
                throw ImageFormatException.Corrupt(F, "a dynamic disk footer was found at the end but its copy at the start is missing");
        }

        var virtualSize = CheckedVirtualSize(footer);
        if (virtualSize > context.Length - FooterSize)
        {
            throw ImageFormatException.Truncated(F, "the fixed disk's data");
        }

        return ValueTask.FromResult(new InspectionResult(F, virtualSize, "fixed"));
    }

    private static async ValueTask<InspectionResult> ValidateAtStartAsync(InspectionContext context, CancellationToken cancellationToken)
    {
        if (context.Length < FooterSize)
        {
            throw ImageFormatException.Truncated(F, "the footer");
        }

        var footer = ParseFooter(context.Head.Span);
        switch (footer.DiskType)
        {
            case VhdDiskType.Differencing:
                throw Differencing();
            case VhdDiskType.Fixed:
                throw ImageFormatException.Corrupt(F, "a fixed disk footer sits at the start of the file, where the disk's data belongs");
        }

        // The spec keeps identical copies at both ends; tools that read the end copy (Hyper-V) must not see another disk.
        if (VhdFooter.HasCookie(context.Tail.Span) && TryParseFooter(context.Tail.Span) is { } last && last.DiskType != footer.DiskType)
        {
            throw ImageFormatException.Corrupt(F,
                $"the footer at the end says disk type {(uint)last.DiskType} but the copy at the start says {(uint)footer.DiskType}");
        }

        var virtualSize = CheckedVirtualSize(footer);
        var headerOffset = footer.DataOffset;
        if (headerOffset < FooterSize || headerOffset > (ulong)(context.Length - DynamicHeaderSize) || context.Length < DynamicHeaderSize)
        {
            throw headerOffset < FooterSize
                ? ImageFormatException.Corrupt(F, $"the dynamic header offset 0x{headerOffset:x} overlaps the footer")
                : ImageFormatException.Truncated(F, "the dynamic disk header");
        }

        var header = await context.ReadRegionAsync((long)headerOffset, DynamicHeaderSize, F, "the dynamic disk header", cancellationToken)
            .ConfigureAwait(false);
        var bat = CheckDynamicHeader(header.Span, virtualSize, context.Length);
        await CheckBlockAllocationTableAsync(context, bat, (long)headerOffset, cancellationToken).ConfigureAwait(false);
        return new InspectionResult(F, virtualSize, "dynamic");
    }

    private readonly record struct Bat(long Offset, uint Entries, int BlockSize);

    private static Bat CheckDynamicHeader(ReadOnlySpan<byte> data, long virtualSize, long fileLength)
    {
        if (!VhdDynamicHeader.HasCookie(data))
        {
            throw ImageFormatException.Corrupt(F, "the dynamic disk header lacks its \"cxsparse\" cookie");
        }

        var header = VhdDynamicHeader.Parse(data);
        if (!header.IsChecksumValid)
        {
            throw ImageFormatException.Corrupt(F,
                $"dynamic header checksum 0x{header.Checksum:x8} does not match the computed 0x{header.ComputedChecksum:x8}");
        }

        var blockSize = header.BlockSize;
        if (blockSize < 512 || !uint.IsPow2(blockSize))
        {
            throw ImageFormatException.Corrupt(F, $"block size {blockSize} is not a power of two of at least 512");
        }

        if (blockSize > VhdConstants.MaxBlockSize)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge, $"VHD image declares a block size of {blockSize} bytes, more than 256 MiB", F);
        }

        var entries = header.MaxTableEntries;
        if ((ulong)entries * blockSize < (ulong)virtualSize)
        {
            throw ImageFormatException.Corrupt(F, $"the block allocation table has {entries} entries, too few for the disk size");
        }

        var tableOffset = header.TableOffset;
        if (tableOffset < FooterSize)
        {
            throw ImageFormatException.Corrupt(F, "the block allocation table overlaps the footer copy");
        }

        if (tableOffset > (ulong)fileLength || entries * 4L > fileLength - (long)tableOffset)
        {
            throw ImageFormatException.Truncated(F, "the block allocation table");
        }

        return new Bat((long)tableOffset, entries, (int)blockSize);
    }

    /// <summary>
    /// qemu refuses a dynamic disk whose blocks lie past the end of the file ("the image has been truncated");
    /// we also refuse blocks that overlap the metadata. The table is scanned in bounded chunks.
    /// </summary>
    private static async ValueTask CheckBlockAllocationTableAsync(InspectionContext context, Bat bat, long headerOffset,
        CancellationToken cancellationToken)
    {
        var batEnd = bat.Offset + bat.Entries * 4L;
        var bitmapSize = VhdDynamicHeader.BitmapSize(bat.BlockSize);
        var blockSpan = (long)bitmapSize + bat.BlockSize;
        var chunk = new byte[(int)Math.Min(bat.Entries, BatChunkEntries) * 4];
        for (long first = 0; first < bat.Entries; first += BatChunkEntries)
        {
            var count = (int)Math.Min(BatChunkEntries, bat.Entries - first);
            var buffer = chunk.AsMemory(0, count * 4);
            await context.Source.ReadExactlyAsync(bat.Offset + first * 4, buffer, F, "the block allocation table", cancellationToken)
                .ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                var sector = U32(buffer.Span, i * 4);
                if (sector == VhdConstants.UnallocatedBlock)
                {
                    continue;
                }

                var start = sector * 512L;
                if (start + blockSpan > context.Length)
                {
                    throw ImageFormatException.Truncated(F, $"data block {first + i}");
                }

                var end = start + blockSpan;
                if (start < FooterSize || Overlaps(start, end, headerOffset, headerOffset + DynamicHeaderSize)
                    || Overlaps(start, end, bat.Offset, batEnd))
                {
                    throw ImageFormatException.Corrupt(F, $"block {first + i} overlaps the disk's metadata");
                }
            }
        }
    }

    private static bool Overlaps(long start, long end, long otherStart, long otherEnd) => start < otherEnd && otherStart < end;

    /// <summary>Parses a footer whose cookie is present; a bad checksum or unknown type is corruption.</summary>
    private static VhdFooter ParseFooter(ReadOnlySpan<byte> sector)
    {
        var footer = VhdFooter.Parse(sector);
        if (!footer.IsChecksumValid)
        {
            throw ImageFormatException.Corrupt(F,
                $"footer checksum 0x{footer.Checksum:x8} does not match the computed 0x{footer.ComputedChecksum:x8}");
        }

        if (!IsKnownDiskType(footer))
        {
            throw ImageFormatException.Corrupt(F, $"unknown disk type {(uint)footer.DiskType} in the footer");
        }

        return footer;
    }

    /// <summary>Parses a footer, or returns null when its checksum or type is invalid (for the optional end copy).</summary>
    private static VhdFooter? TryParseFooter(ReadOnlySpan<byte> sector)
    {
        var footer = VhdFooter.Parse(sector);
        return footer.IsChecksumValid && IsKnownDiskType(footer) ? footer : null;
    }

    private static bool IsKnownDiskType(VhdFooter footer) =>
        footer.DiskType is VhdDiskType.Fixed or VhdDiskType.Dynamic or VhdDiskType.Differencing;

    /// <summary>
    /// The virtual size by qemu's rule (<see cref="VhdSizeRule"/>), refused above 2040 GiB: a current_size above the
    /// limit is refused even when its whole sectors would fit (CHS sizes are always below it).
    /// </summary>
    private static long CheckedVirtualSize(VhdFooter footer)
    {
        if (VhdSizeRule.UsesCurrentSize(footer) && footer.CurrentSize > VhdConstants.MaxVirtualSize)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                $"VHD image declares a disk size of {footer.CurrentSize} bytes, more than the format's limit of 2040 GiB", F);
        }

        return VhdSizeRule.VirtualSize(footer);
    }

    private static ImageFormatException Differencing() =>
        new(ImageErrorKind.UnsupportedFormat,
            "differencing VHD images are not supported (they depend on a parent image); convert the image to raw, qcow2 or VHD first (for example: qemu-img convert -O qcow2 SRC DST)",
            F);
}
