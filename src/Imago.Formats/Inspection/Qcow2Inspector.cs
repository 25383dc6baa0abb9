using static Imago.Formats.Inspection.BigEndian;
using static Imago.Formats.Qcow2.Qcow2Constants;

namespace Imago.Formats.Inspection;

/// <summary>
/// Detects qcow2 by its magic and vets its header before any reader touches the file (qemu's docs/interop/qcow2.txt,
/// block/qcow2.c and qcow2.h limits; the checks of oslo.utils' format inspector and more).
/// </summary>
internal static class Qcow2Inspector
{
    /// <summary>The largest virtual disk the engine accepts (qemu allows more; nothing we serve needs it).</summary>
    public const long MaxVirtualSize = 64L << 40;

    public static FormatMatch? Match(InspectionContext context)
    {
        var head = context.Head.Span;
        if (head.Length < 4 || U32(head, 0) != Magic)
        {
            return null;
        }

        return new FormatMatch(Signature.Qcow2, ImageFormat.Qcow2, "qcow2", ValidateAsync);
    }

    private static async ValueTask<InspectionResult> ValidateAsync(InspectionContext context, CancellationToken cancellationToken)
    {
        const ImageFormat F = ImageFormat.Qcow2;
        if (context.Length < Version2HeaderLength || context.Head.Length < Version2HeaderLength)
        {
            throw ImageFormatException.Truncated(F, "the header");
        }

        var h = context.Head.Span;
        var version = U32(h, VersionOffset);
        if (version is not (2 or 3))
        {
            throw new ImageFormatException(ImageErrorKind.UnsupportedFormat,
                $"qcow2 version {version} images are not supported (only versions 2 and 3); convert the image to raw, qcow2 or VHD first", F);
        }

        // OSSA-2024-002: a backing file makes qemu open another file named by the image.
        if (U64(h, BackingFileOffsetOffset) != 0)
        {
            throw ImageFormatException.Unsafe(F, "it names a backing file, which would make the reader open another file");
        }

        var clusterBits = U32(h, ClusterBitsOffset);
        if (clusterBits is < MinClusterBits or > MaxClusterBits)
        {
            throw ImageFormatException.Corrupt(F, $"cluster_bits {clusterBits} is outside {MinClusterBits}..{MaxClusterBits} (cluster sizes 512 B to 2 MiB)");
        }

        var clusterSize = 1L << (int)clusterBits;

        if (U32(h, CryptMethodOffset) != 0)
        {
            throw new ImageFormatException(ImageErrorKind.UnsupportedFormat,
                "encrypted qcow2 images are not supported; decrypt the image first (for example: qemu-img convert --object secret,... -O qcow2 SRC DST)", F);
        }

        var size = U64(h, SizeOffset);
        if (size > MaxVirtualSize)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                $"qcow2 image declares a virtual size of {size} bytes, more than the limit of 64 TiB", F);
        }

        ulong incompatible = 0;
        var headerLength = Version2HeaderLength;
        var extendedL2 = false;
        if (version == 3)
        {
            if (context.Length < Version3MinHeaderLength || context.Head.Length < Version3MinHeaderLength)
            {
                throw ImageFormatException.Truncated(F, "the version 3 header");
            }

            var declaredLength = U32(h, HeaderLengthOffset);
            if (declaredLength < Version3MinHeaderLength)
            {
                throw ImageFormatException.Corrupt(F, $"header_length {declaredLength} is shorter than the 104 bytes of a version 3 header");
            }

            if (declaredLength > clusterSize)
            {
                throw ImageFormatException.Corrupt(F, $"header_length {declaredLength} exceeds the cluster size {clusterSize}");
            }

            headerLength = (int)declaredLength;
            if (headerLength > context.Length)
            {
                throw ImageFormatException.Truncated(F, "the header");
            }

            incompatible = U64(h, IncompatibleFeaturesOffset);
            CheckIncompatibleFeatures(incompatible);
            extendedL2 = (incompatible & IncompatibleExtendedL2) != 0;
            if (extendedL2 && clusterBits < MinExtendedL2ClusterBits)
            {
                throw ImageFormatException.Corrupt(F, "extended L2 entries need a cluster size of at least 16 KiB");
            }

            // "Raw external data" only has a meaning with an external data file; refuse rather than guess.
            if ((U64(h, AutoclearFeaturesOffset) & AutoclearRawExternalData) != 0)
            {
                throw ImageFormatException.Unsafe(F, "it sets the raw external data bit, which belongs to an external data file");
            }

            var refcountOrder = U32(h, RefcountOrderOffset);
            if (refcountOrder > MaxRefcountOrder)
            {
                throw ImageFormatException.Corrupt(F, $"refcount_order {refcountOrder} is larger than 6 (64-bit refcounts)");
            }

            var compressionType = headerLength > CompressionTypeOffset ? (int)h[CompressionTypeOffset] : 0;
            CheckCompressionType(compressionType, incompatible);
        }

        CheckTables(context, h, (int)clusterBits, size, extendedL2);
        await CheckHeaderExtensionsAsync(context, headerLength, clusterSize, cancellationToken).ConfigureAwait(false);
        return new InspectionResult(F, (long)size, version == 2 ? "v2" : "v3");
    }

    private static void CheckIncompatibleFeatures(ulong incompatible)
    {
        const ImageFormat F = ImageFormat.Qcow2;

        // OSSA-2024-001: an external data file lets the image name any host file as its data.
        if ((incompatible & IncompatibleDataFile) != 0)
        {
            throw ImageFormatException.Unsafe(F, "it uses an external data file (incompatible feature bit 2), which would make the reader open a host file");
        }

        var unknown = incompatible & ~KnownIncompatibleFeatures;
        if (unknown != 0)
        {
            throw ImageFormatException.Unsafe(F, $"it uses unknown incompatible features (bits 0x{unknown:x}) whose meaning the reader cannot honour");
        }

        // qemu will not write to an image flagged corrupt; we refuse to serve data through metadata known to be bad.
        // Dirty images (lazy refcounts) only have stale refcounts, which a reader never needs: they are accepted.
        if ((incompatible & IncompatibleCorrupt) != 0)
        {
            throw ImageFormatException.Corrupt(F, "the image is flagged corrupt (incompatible feature bit 1); repair it with qemu-img check -r all first");
        }
    }

    private static void CheckCompressionType(int compressionType, ulong incompatible)
    {
        const ImageFormat F = ImageFormat.Qcow2;
        if (compressionType is not (0 or 1))
        {
            throw new ImageFormatException(ImageErrorKind.UnsupportedFormat,
                $"qcow2 compression type {compressionType} is not supported (only zlib and zstd); convert the image first", F);
        }

        var bitSet = (incompatible & IncompatibleCompressionType) != 0;
        if (compressionType == 0 && bitSet)
        {
            throw ImageFormatException.Corrupt(F, "the compression type feature bit is set but the compression type is zlib");
        }

        if (compressionType != 0 && !bitSet)
        {
            throw ImageFormatException.Corrupt(F, "the compression type is zstd but its incompatible feature bit is not set");
        }
    }

    /// <summary>Bounds the L1, refcount and snapshot tables against qemu's limits and the file size.</summary>
    private static void CheckTables(InspectionContext context, ReadOnlySpan<byte> h, int clusterBits, ulong size, bool extendedL2)
    {
        const ImageFormat F = ImageFormat.Qcow2;
        var clusterSize = 1L << clusterBits;
        var length = context.Length;

        var l1Size = U32(h, L1SizeOffset);
        if (l1Size > MaxL1Bytes / 8)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                $"qcow2 image declares an L1 table of {l1Size} entries, more than qemu's limit of 32 MiB", F);
        }

        var l2Entries = clusterSize / (extendedL2 ? 16 : 8);
        var bytesPerL1Entry = l2Entries * clusterSize; // at most 2^21 * 2^18: no overflow
        var neededL1 = (long)((size + (ulong)bytesPerL1Entry - 1) / (ulong)bytesPerL1Entry);
        if (l1Size < neededL1)
        {
            throw ImageFormatException.Corrupt(F, $"the L1 table has {l1Size} entries but the virtual size needs {neededL1}");
        }

        if (l1Size > 0)
        {
            CheckTable(U64(h, L1TableOffsetOffset), l1Size * 8L, clusterSize, length, "the L1 table");
        }

        var refcountClusters = U32(h, RefcountTableClustersOffset);
        if (refcountClusters == 0)
        {
            throw ImageFormatException.Corrupt(F, "the image has no refcount table");
        }

        if (refcountClusters > MaxRefcountTableBytes >> clusterBits)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                $"qcow2 image declares a refcount table of {refcountClusters} clusters, more than qemu's limit of 8 MiB", F);
        }

        CheckTable(U64(h, RefcountTableOffsetOffset), refcountClusters * clusterSize, clusterSize, length, "the refcount table");

        var snapshots = U32(h, SnapshotCountOffset);
        if (snapshots > MaxSnapshots)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                $"qcow2 image declares {snapshots} snapshots, more than qemu's limit of {MaxSnapshots}", F);
        }

        if (snapshots > 0)
        {
            CheckTable(U64(h, SnapshotsOffsetOffset), snapshots * (long)SnapshotEntryFixedLength, clusterSize, length, "the snapshot table");
        }
    }

    private static void CheckTable(ulong offset, long bytes, long clusterSize, long fileLength, string what)
    {
        const ImageFormat F = ImageFormat.Qcow2;
        if (offset % (ulong)clusterSize != 0)
        {
            throw ImageFormatException.Corrupt(F, $"{what} offset 0x{offset:x} is not aligned to a cluster");
        }

        if (offset < (ulong)clusterSize)
        {
            throw ImageFormatException.Corrupt(F, $"{what} overlaps the header cluster");
        }

        if (offset > (ulong)fileLength || bytes > fileLength - (long)offset)
        {
            throw ImageFormatException.Truncated(F, what);
        }
    }

    /// <summary>
    /// Walks the header extensions in the rest of cluster 0. qemu acts on a backing-format or data-file extension
    /// even when the header fields look clean, so they are refused on sight.
    /// </summary>
    private static async ValueTask CheckHeaderExtensionsAsync(InspectionContext context, int start, long clusterSize,
        CancellationToken cancellationToken)
    {
        const ImageFormat F = ImageFormat.Qcow2;
        var end = (int)Math.Min(clusterSize, context.Length);
        if (end <= start)
        {
            return;
        }

        var region = await context.ReadRegionAsync(0, end, F, "the header cluster", cancellationToken).ConfigureAwait(false);
        var offset = start;
        while (offset <= end - 8)
        {
            var span = region.Span;
            var type = U32(span, offset);
            var length = U32(span, offset + 4);
            if (type == ExtensionEnd)
            {
                return;
            }

            if (length > (uint)(end - offset - 8))
            {
                throw ImageFormatException.Corrupt(F, $"header extension 0x{type:x8} runs past the header cluster");
            }

            switch (type)
            {
                case ExtensionExternalDataFile:
                    throw ImageFormatException.Unsafe(F, "it names an external data file, which would make the reader open a host file");
                case ExtensionBackingFormat:
                    throw ImageFormatException.Unsafe(F, "it carries a backing format extension, which belongs to a backing file");
                case ExtensionFullDiskEncryption:
                    throw new ImageFormatException(ImageErrorKind.UnsupportedFormat,
                        "encrypted qcow2 images are not supported; decrypt the image first", F);
            }

            // Data is padded to a multiple of 8; the length fits in an int after the bound above.
            offset += 8 + (int)((length + 7) & ~7u);
        }
    }
}
