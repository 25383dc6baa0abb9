using System.Buffers.Binary;
using static Imago.Formats.Qcow2.Qcow2Constants;

namespace Imago.Formats.Qcow2;

/// <summary>
/// The qcow2 header (v2 and v3 fields) plus the header extensions found in cluster 0.
/// <see cref="Parse"/> checks every field against the spec, qemu's limits and the file length,
/// and refuses what the engine will not read (backing file, external data file, encryption).
/// </summary>
internal sealed record Qcow2Header
{
    public required uint Version { get; init; }
    public required ulong BackingFileOffset { get; init; }
    public required uint BackingFileSize { get; init; }
    public required int ClusterBits { get; init; }
    public required long VirtualSize { get; init; }
    public required uint CryptMethod { get; init; }
    public required uint L1Size { get; init; }
    public required long L1TableOffset { get; init; }
    public required long RefcountTableOffset { get; init; }
    public required uint RefcountTableClusters { get; init; }
    public required uint SnapshotCount { get; init; }
    public required long SnapshotsOffset { get; init; }
    public required ulong IncompatibleFeatures { get; init; }
    public required ulong CompatibleFeatures { get; init; }
    public required ulong AutoclearFeatures { get; init; }
    public required int RefcountOrder { get; init; }
    public required int HeaderLength { get; init; }
    public required byte CompressionType { get; init; }
    public IReadOnlyList<Qcow2HeaderExtension> Extensions { get; init; } = [];

    public int ClusterSize => 1 << ClusterBits;
    public int RefcountBits => 1 << RefcountOrder;
    public bool ExtendedL2 => (IncompatibleFeatures & IncompatibleExtendedL2) != 0;
    public bool Dirty => (IncompatibleFeatures & IncompatibleDirty) != 0;
    public bool CorruptFlag => (IncompatibleFeatures & IncompatibleCorrupt) != 0;
    public bool LazyRefcounts => (CompatibleFeatures & CompatibleLazyRefcounts) != 0;
    public long RefcountTableBytes => (long)RefcountTableClusters << ClusterBits;
    public long L1Bytes => (long)L1Size * 8;

    /// <summary>Bytes needed to parse the fixed header (v3 with compression type).</summary>
    public const int ProbeLength = HeaderLengthWithCompressionType;

    /// <summary>Reads the cluster-size field only, to know how much of cluster 0 to read next.</summary>
    public static int PeekClusterBits(ReadOnlySpan<byte> data)
    {
        if (data.Length < Version2HeaderLength)
        {
            throw ImageFormatException.Truncated(ImageFormat.Qcow2, "the header");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(data) != Magic)
        {
            throw ImageFormatException.Corrupt(ImageFormat.Qcow2, "bad magic number");
        }

        var bits = BinaryPrimitives.ReadUInt32BigEndian(data[ClusterBitsOffset..]);
        if (bits is < MinClusterBits or > MaxClusterBits)
        {
            throw ImageFormatException.Corrupt(ImageFormat.Qcow2,
                $"cluster_bits {bits} is outside {MinClusterBits}..{MaxClusterBits} (512 B to 2 MiB clusters)");
        }

        return (int)bits;
    }

    /// <summary>
    /// Parses and validates the header from the start of cluster 0 (<paramref name="cluster0"/> holds
    /// the whole cluster, or the whole file when it is shorter).
    /// </summary>
    public static Qcow2Header Parse(ReadOnlySpan<byte> cluster0, long fileLength)
    {
        var clusterBits = PeekClusterBits(cluster0);
        var version = BinaryPrimitives.ReadUInt32BigEndian(cluster0[VersionOffset..]);
        if (version is not (2 or 3))
        {
            throw new ImageFormatException(ImageErrorKind.UnsupportedFormat,
                $"qcow2 version {version} is not supported (only versions 2 and 3 are)", ImageFormat.Qcow2);
        }

        var headerLength = version == 2 ? Version2HeaderLength : (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(cluster0[HeaderLengthOffset..]), int.MaxValue);
        if (version == 3 && (headerLength < Version3MinHeaderLength || headerLength % 8 != 0 || headerLength > (1 << clusterBits)))
        {
            throw Corrupt($"header_length {headerLength} is invalid (a multiple of 8, at least {Version3MinHeaderLength}, within cluster 0)");
        }

        if (cluster0.Length < headerLength)
        {
            throw ImageFormatException.Truncated(ImageFormat.Qcow2, "the header");
        }

        var size = BinaryPrimitives.ReadUInt64BigEndian(cluster0[SizeOffset..]);
        if (size > long.MaxValue)
        {
            throw Corrupt("the virtual size does not fit in 63 bits");
        }

        var header = new Qcow2Header
        {
            Version = version,
            BackingFileOffset = BinaryPrimitives.ReadUInt64BigEndian(cluster0[BackingFileOffsetOffset..]),
            BackingFileSize = BinaryPrimitives.ReadUInt32BigEndian(cluster0[BackingFileSizeOffset..]),
            ClusterBits = clusterBits,
            VirtualSize = (long)size,
            CryptMethod = BinaryPrimitives.ReadUInt32BigEndian(cluster0[CryptMethodOffset..]),
            L1Size = BinaryPrimitives.ReadUInt32BigEndian(cluster0[L1SizeOffset..]),
            L1TableOffset = ToOffset(BinaryPrimitives.ReadUInt64BigEndian(cluster0[L1TableOffsetOffset..]), "l1_table_offset"),
            RefcountTableOffset = ToOffset(BinaryPrimitives.ReadUInt64BigEndian(cluster0[RefcountTableOffsetOffset..]), "refcount_table_offset"),
            RefcountTableClusters = BinaryPrimitives.ReadUInt32BigEndian(cluster0[RefcountTableClustersOffset..]),
            SnapshotCount = BinaryPrimitives.ReadUInt32BigEndian(cluster0[SnapshotCountOffset..]),
            SnapshotsOffset = ToOffset(BinaryPrimitives.ReadUInt64BigEndian(cluster0[SnapshotsOffsetOffset..]), "snapshots_offset"),
            IncompatibleFeatures = version == 2 ? 0 : BinaryPrimitives.ReadUInt64BigEndian(cluster0[IncompatibleFeaturesOffset..]),
            CompatibleFeatures = version == 2 ? 0 : BinaryPrimitives.ReadUInt64BigEndian(cluster0[CompatibleFeaturesOffset..]),
            AutoclearFeatures = version == 2 ? 0 : BinaryPrimitives.ReadUInt64BigEndian(cluster0[AutoclearFeaturesOffset..]),
            RefcountOrder = version == 2 ? Version2RefcountOrder : (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(cluster0[RefcountOrderOffset..]), 64),
            HeaderLength = headerLength,
            CompressionType = version == 3 && headerLength > Version3MinHeaderLength ? cluster0[CompressionTypeOffset] : CompressionZlib,
        };

        header.ValidateSafety();
        header.ValidateLayout(fileLength);
        return header with { Extensions = Qcow2HeaderExtension.ReadAll(cluster0, header) };
    }

    private void ValidateSafety()
    {
        if (BackingFileOffset != 0)
        {
            throw ImageFormatException.Unsafe(ImageFormat.Qcow2, "it names a backing file");
        }

        if ((IncompatibleFeatures & IncompatibleDataFile) != 0)
        {
            throw ImageFormatException.Unsafe(ImageFormat.Qcow2, "it uses an external data file");
        }

        if ((AutoclearFeatures & AutoclearRawExternalData) != 0)
        {
            throw ImageFormatException.Unsafe(ImageFormat.Qcow2, "it declares raw external data");
        }

        if (CryptMethod != CryptNone)
        {
            throw ImageFormatException.Unsafe(ImageFormat.Qcow2, $"it is encrypted (crypt_method {CryptMethod})");
        }

        var unknown = IncompatibleFeatures & ~KnownIncompatibleFeatures;
        if (unknown != 0)
        {
            throw ImageFormatException.Unsafe(ImageFormat.Qcow2, $"it sets unknown incompatible feature bits 0x{unknown:x}");
        }
    }

    private void ValidateLayout(long fileLength)
    {
        if (RefcountOrder > MaxRefcountOrder)
        {
            throw Corrupt($"refcount_order {RefcountOrder} is above {MaxRefcountOrder} (64-bit refcounts)");
        }

        var hasCompressionBit = (IncompatibleFeatures & IncompatibleCompressionType) != 0;
        if (CompressionType is not (CompressionZlib or CompressionZstd))
        {
            throw new ImageFormatException(ImageErrorKind.UnsupportedFormat,
                $"qcow2 compression type {CompressionType} is unknown", ImageFormat.Qcow2);
        }

        if (hasCompressionBit != (CompressionType != CompressionZlib))
        {
            throw Corrupt("the compression-type feature bit does not match the compression_type field");
        }

        if (ExtendedL2 && ClusterBits < MinExtendedL2ClusterBits)
        {
            throw Corrupt("extended L2 entries need clusters of at least 16 KiB");
        }

        if (L1Bytes > MaxL1Bytes)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                $"qcow2 L1 table of {L1Size} entries exceeds the 32 MiB limit", ImageFormat.Qcow2);
        }

        if (L1Size < RequiredL1Entries(VirtualSize, ClusterBits, ExtendedL2))
        {
            throw Corrupt($"the L1 table ({L1Size} entries) is too small for the virtual size {VirtualSize}");
        }

        CheckTable("L1 table", L1TableOffset, L1Bytes, fileLength, allowEmpty: true);

        if (RefcountTableClusters == 0 || RefcountTableBytes > MaxRefcountTableBytes)
        {
            throw Corrupt($"refcount table of {RefcountTableClusters} clusters is empty or exceeds the 8 MiB limit");
        }

        CheckTable("refcount table", RefcountTableOffset, RefcountTableBytes, fileLength, allowEmpty: false);

        if (SnapshotCount > MaxSnapshots)
        {
            throw Corrupt($"{SnapshotCount} snapshots exceed the limit of {MaxSnapshots}");
        }

        if (SnapshotCount > 0)
        {
            CheckTable("snapshot table", SnapshotsOffset, SnapshotEntryFixedLength, fileLength, allowEmpty: false);
        }

        if (Overlaps(L1TableOffset, L1Bytes, RefcountTableOffset, RefcountTableBytes))
        {
            throw Corrupt("the L1 table overlaps the refcount table");
        }
    }

    private void CheckTable(string what, long offset, long length, long fileLength, bool allowEmpty)
    {
        if (length == 0 && allowEmpty)
        {
            return;
        }

        if (offset % ClusterSize != 0)
        {
            throw Corrupt($"the {what} offset 0x{offset:x} is not cluster aligned");
        }

        if (offset < ClusterSize)
        {
            throw Corrupt($"the {what} overlaps the header");
        }

        if (offset > fileLength || length > fileLength - offset)
        {
            throw ImageFormatException.Truncated(ImageFormat.Qcow2, $"the {what}");
        }
    }

    /// <summary>L1 entries needed to map <paramref name="virtualSize"/> bytes.</summary>
    public static long RequiredL1Entries(long virtualSize, int clusterBits, bool extendedL2)
    {
        var l2Bits = clusterBits - (extendedL2 ? 4 : 3);
        var shift = clusterBits + l2Bits;
        return (long)(((ulong)virtualSize + (1UL << shift) - 1) >> shift);
    }

    public static bool Overlaps(long aStart, long aLength, long bStart, long bLength) =>
        aLength > 0 && bLength > 0 && aStart < bStart + bLength && bStart < aStart + aLength;

    private static long ToOffset(ulong value, string field) =>
        value > long.MaxValue / 2 ? throw Corrupt($"{field} 0x{value:x} is out of range") : (long)value;

    private static ImageFormatException Corrupt(string message) => ImageFormatException.Corrupt(ImageFormat.Qcow2, message);
}
