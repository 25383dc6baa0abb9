namespace Imago.Formats.Qcow2;

/// <summary>Numbers from qemu's docs/interop/qcow2.txt, and the limits qemu enforces on top of the spec.</summary>
internal static class Qcow2Constants
{
    /// <summary>"QFI\xfb".</summary>
    public const uint Magic = 0x514649fb;

    public const int Version2HeaderLength = 72;
    public const int Version3MinHeaderLength = 104;

    /// <summary>Header length that includes the compression_type byte (and its 7 padding bytes).</summary>
    public const int HeaderLengthWithCompressionType = 112;

    // Header field offsets (all big-endian), shared by the header parser and the inspector.
    public const int VersionOffset = 4;
    public const int BackingFileOffsetOffset = 8;
    public const int BackingFileSizeOffset = 16;
    public const int ClusterBitsOffset = 20;
    public const int SizeOffset = 24;
    public const int CryptMethodOffset = 32;
    public const int L1SizeOffset = 36;
    public const int L1TableOffsetOffset = 40;
    public const int RefcountTableOffsetOffset = 48;
    public const int RefcountTableClustersOffset = 56;
    public const int SnapshotCountOffset = 60;
    public const int SnapshotsOffsetOffset = 64;
    public const int IncompatibleFeaturesOffset = 72;
    public const int CompatibleFeaturesOffset = 80;
    public const int AutoclearFeaturesOffset = 88;
    public const int RefcountOrderOffset = 96;
    public const int HeaderLengthOffset = 100;
    public const int CompressionTypeOffset = 104;

    public const int MinClusterBits = 9;

    /// <summary>qemu refuses clusters above 2 MiB.</summary>
    public const int MaxClusterBits = 21;

    /// <summary>qemu requires 16 KiB clusters for extended L2 entries (32 subclusters of at least 512 B).</summary>
    public const int MinExtendedL2ClusterBits = 14;

    public const int MaxRefcountOrder = 6;
    public const int Version2RefcountOrder = 4;

    /// <summary>qemu's QCOW_MAX_L1_SIZE: the active L1 table is at most 32 MiB.</summary>
    public const long MaxL1Bytes = 32L << 20;

    /// <summary>qemu's QCOW_MAX_REFTABLE_SIZE: the refcount table is at most 8 MiB.</summary>
    public const long MaxRefcountTableBytes = 8L << 20;

    /// <summary>qemu's QCOW_MAX_SNAPSHOTS.</summary>
    public const int MaxSnapshots = 65536;

    /// <summary>qemu's limit on the whole snapshot table (QCOW_MAX_SNAPSHOTS_SIZE).</summary>
    public const long MaxSnapshotTableBytes = 64L << 20;

    public const int MaxBackingFileNameLength = 1023;

    // Incompatible feature bits (header offset 72).
    public const ulong IncompatibleDirty = 1UL << 0;
    public const ulong IncompatibleCorrupt = 1UL << 1;
    public const ulong IncompatibleDataFile = 1UL << 2;
    public const ulong IncompatibleCompressionType = 1UL << 3;
    public const ulong IncompatibleExtendedL2 = 1UL << 4;
    public const ulong KnownIncompatibleFeatures =
        IncompatibleDirty | IncompatibleCorrupt | IncompatibleDataFile | IncompatibleCompressionType | IncompatibleExtendedL2;

    // Compatible feature bits (header offset 80).
    public const ulong CompatibleLazyRefcounts = 1UL << 0;

    // Autoclear feature bits (header offset 88).
    public const ulong AutoclearRawExternalData = 1UL << 1;

    public const byte CompressionZlib = 0;
    public const byte CompressionZstd = 1;

    public const uint CryptNone = 0;

    // Header extension types.
    public const uint ExtensionEnd = 0;
    public const uint ExtensionBackingFormat = 0xe2792aca;
    public const uint ExtensionFeatureNameTable = 0x6803f857;
    public const uint ExtensionBitmaps = 0x23852875;
    public const uint ExtensionFullDiskEncryption = 0x0537be77;
    public const uint ExtensionExternalDataFile = 0x44415441;

    // L1/L2 entries.
    public const ulong L1OffsetMask = 0x00fffffffffffe00UL;
    public const ulong L1ReservedMask = 0x7f000000000001ffUL;
    public const ulong L2OffsetMask = 0x00fffffffffffe00UL;

    /// <summary>Reserved bits of a standard cluster descriptor (bits 1-8 and 56-61).</summary>
    public const ulong L2StandardReservedMask = 0x3f000000000001feUL;

    public const ulong FlagCopied = 1UL << 63;
    public const ulong FlagCompressed = 1UL << 62;
    public const ulong FlagZero = 1UL << 0;

    public const ulong RefcountTableOffsetMask = 0xfffffffffffffe00UL;

    public const int SubclustersPerCluster = 32;
    public const ulong SubclusterAllocMask = 0xffffffffUL;

    public const int CompressedSectorSize = 512;

    /// <summary>Snapshot table entry: fixed part before extra data, id and name.</summary>
    public const int SnapshotEntryFixedLength = 40;
}
