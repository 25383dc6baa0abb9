using System.Buffers.Binary;

namespace Imago.Formats.Guest.Fat;

/// <summary>
/// The BIOS parameter block of a FAT volume (Microsoft's FAT specification, "FAT: General Overview of On-Disk
/// Format"). The FAT type follows from the cluster count alone, as the specification requires.
/// </summary>
internal sealed record FatBootSector(
    int BytesPerSector,
    int SectorsPerCluster,
    int ReservedSectors,
    int FatCount,
    int RootEntryCount,
    long TotalSectors,
    long FatSectors,
    uint RootCluster,
    FileSystemKind Kind,
    long ClusterCount)
{
    private const int BytesPerSectorOffset = 0x0B;
    private const int SectorsPerClusterOffset = 0x0D;
    private const int ReservedSectorsOffset = 0x0E;
    private const int FatCountOffset = 0x10;
    private const int RootEntryCountOffset = 0x11;
    private const int TotalSectors16Offset = 0x13;
    private const int FatSize16Offset = 0x16;
    private const int TotalSectors32Offset = 0x20;
    private const int FatSize32Offset = 0x24;
    private const int RootClusterOffset = 0x2C;

    private const int MaxFat12Clusters = 4084;
    private const int MaxFat16Clusters = 65524;

    public const int DirectoryEntrySize = 32;

    public long ClusterBytes => (long)SectorsPerCluster * BytesPerSector;

    public long FatOffset => (long)ReservedSectors * BytesPerSector;

    public long RootDirectoryOffset => FatOffset + (FatCount * FatSectors * BytesPerSector);

    public long RootDirectoryBytes => (long)RootEntryCount * DirectoryEntrySize;

    public long DataOffset => RootDirectoryOffset + ((RootDirectoryBytes + BytesPerSector - 1) / BytesPerSector * BytesPerSector);

    public static bool TryParse(ReadOnlySpan<byte> sector, out FatBootSector boot)
    {
        boot = null!;
        if (sector.Length < 512 || sector[510] != 0x55 || sector[511] != 0xAA || sector[0] is not (0xEB or 0xE9))
        {
            return false;
        }

        int bytesPerSector = BinaryPrimitives.ReadUInt16LittleEndian(sector[BytesPerSectorOffset..]);
        int sectorsPerCluster = sector[SectorsPerClusterOffset];
        int reserved = BinaryPrimitives.ReadUInt16LittleEndian(sector[ReservedSectorsOffset..]);
        int fatCount = sector[FatCountOffset];
        int rootEntries = BinaryPrimitives.ReadUInt16LittleEndian(sector[RootEntryCountOffset..]);
        long totalSectors = BinaryPrimitives.ReadUInt16LittleEndian(sector[TotalSectors16Offset..]);
        if (totalSectors == 0)
        {
            totalSectors = BinaryPrimitives.ReadUInt32LittleEndian(sector[TotalSectors32Offset..]);
        }

        long fatSectors = BinaryPrimitives.ReadUInt16LittleEndian(sector[FatSize16Offset..]);
        if (fatSectors == 0)
        {
            fatSectors = BinaryPrimitives.ReadUInt32LittleEndian(sector[FatSize32Offset..]);
        }

        if (bytesPerSector is not (512 or 1024 or 2048 or 4096) || sectorsPerCluster == 0 || (sectorsPerCluster & (sectorsPerCluster - 1)) != 0
            || reserved == 0 || fatCount is < 1 or > 4 || totalSectors == 0 || fatSectors == 0)
        {
            return false;
        }

        var rootDirectorySectors = ((rootEntries * DirectoryEntrySize) + bytesPerSector - 1) / bytesPerSector;
        var dataSector = reserved + (fatCount * fatSectors) + rootDirectorySectors;
        if (dataSector >= totalSectors)
        {
            return false;
        }

        var clusters = (totalSectors - dataSector) / sectorsPerCluster;
        var kind = clusters <= MaxFat12Clusters ? FileSystemKind.Fat12 : clusters <= MaxFat16Clusters ? FileSystemKind.Fat16 : FileSystemKind.Fat32;
        var rootCluster = kind == FileSystemKind.Fat32 ? BinaryPrimitives.ReadUInt32LittleEndian(sector[RootClusterOffset..]) : 0;
        if ((kind == FileSystemKind.Fat32) != (rootEntries == 0))
        {
            return false; // FAT32 has no fixed root directory; FAT12/16 always have one
        }

        // The FAT must have an entry for every cluster.
        var entryBits = kind switch { FileSystemKind.Fat12 => 12, FileSystemKind.Fat16 => 16, _ => 32 };
        if (fatSectors * bytesPerSector * 8 / entryBits < clusters + 2)
        {
            return false;
        }

        boot = new FatBootSector(bytesPerSector, sectorsPerCluster, reserved, fatCount, rootEntries, totalSectors, fatSectors, rootCluster, kind, clusters);
        return true;
    }
}
