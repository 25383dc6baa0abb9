using System.Buffers.Binary;
using System.Text;

namespace Imago.Core.Images.DiskBuilding;

/// <summary>
/// A small FAT32 filesystem written from scratch into a partition of a <see cref="SparseSectorImage"/>: boot sector
/// with BPB, FSInfo and their backups (sectors 6 and 7), two FATs, a root directory cluster with the volume label,
/// directories and files (long names where 8.3 cannot express them). Only the sectors that hold something are
/// written, so a 40 GiB filesystem costs a few dozen sectors. Layout rules follow Microsoft's FAT specification
/// (FAT size formula, FSInfo signatures), so fsck.fat and mtools read it as they read a mkfs.fat volume.
/// </summary>
internal sealed class Fat32Volume(string volumeLabel, uint volumeId, DateTime timestamp)
{
    private const int SectorSize = SparseSectorImage.SectorSize;
    private const int ReservedSectors = 32;
    private const int FatCount = 2;
    private const int MinClusters = 65525; // fewer clusters would make it FAT16 by definition
    private const uint EndOfChain = 0x0FFFFFFF;
    private const byte AttrDirectory = 0x10;
    private const byte AttrArchive = 0x20;
    private const byte AttrVolumeLabel = 0x08;
    private const byte AttrLongName = 0x0F;

    private readonly Node _root = new("", isDirectory: true, content: []);

    /// <summary>Adds a file (creating its directories); <paramref name="path"/> uses '/' separators.</summary>
    public void AddFile(string path, byte[] content)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new ArgumentException("a file path is needed", nameof(path));
        }

        var directory = _root;
        foreach (var part in parts[..^1])
        {
            directory = directory.Children.FirstOrDefault(c => c.IsDirectory && Same(c.Name, part))
                ?? directory.Add(new Node(part, isDirectory: true, content: []));
        }

        if (directory.Children.Any(c => Same(c.Name, parts[^1])))
        {
            throw new ArgumentException($"'{path}' already exists", nameof(path));
        }

        directory.Add(new Node(parts[^1], isDirectory: false, content: content));
    }

    /// <summary>Formats the partition at <paramref name="firstLba"/> of <paramref name="sectors"/> and writes the tree.</summary>
    public void WriteTo(SparseSectorImage disk, long firstLba, long sectors)
    {
        if (sectors > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(sectors), "FAT32 is limited to 2^32 sectors");
        }

        var geometry = Geometry.For((uint)sectors);
        var clusterBytes = geometry.SectorsPerCluster * SectorSize;

        // Clusters in tree order from 2 (the root): each file and directory is one contiguous run.
        var nodes = new List<Node>();
        Collect(_root, nodes);
        uint next = 2;
        foreach (var node in nodes)
        {
            node.Entries = node.IsDirectory ? DirectoryBytes(node) : node.Content;
            var count = (uint)((node.Entries.Length + clusterBytes - 1) / clusterBytes);
            if (node.IsDirectory)
            {
                count = Math.Max(count, 1);
            }

            node.FirstCluster = count == 0 ? 0 : next;
            node.ClusterCount = count;
            next += count;
        }

        if (next - 2 > geometry.Clusters)
        {
            throw new InvalidOperationException("the files do not fit the filesystem");
        }

        // Directory entries name their children's first clusters: build them again now that those are known.
        foreach (var node in nodes.Where(n => n.IsDirectory))
        {
            node.Entries = DirectoryBytes(node);
        }

        var fat = new byte[next * 4];
        BinaryPrimitives.WriteUInt32LittleEndian(fat, 0x0FFFFFF8); // media descriptor F8 (fixed disk)
        BinaryPrimitives.WriteUInt32LittleEndian(fat.AsSpan(4), EndOfChain); // clean, no I/O errors
        foreach (var node in nodes.Where(n => n.ClusterCount > 0))
        {
            for (var i = 0u; i < node.ClusterCount; i++)
            {
                var cluster = node.FirstCluster + i;
                BinaryPrimitives.WriteUInt32LittleEndian(fat.AsSpan((int)cluster * 4), i + 1 == node.ClusterCount ? EndOfChain : cluster + 1);
            }
        }

        var boot = BootSector(geometry, (uint)firstLba);
        var fsInfo = FsInfoSector(freeClusters: geometry.Clusters - (next - 2), nextFree: next);
        disk.Write(firstLba, boot);
        disk.Write(firstLba + 1, fsInfo);
        disk.Write(firstLba + 6, boot);
        disk.Write(firstLba + 7, fsInfo);
        for (var copy = 0; copy < FatCount; copy++)
        {
            disk.Write(firstLba + ReservedSectors + copy * geometry.FatSectors, fat);
        }

        var dataLba = firstLba + ReservedSectors + FatCount * geometry.FatSectors;
        foreach (var node in nodes.Where(n => n.ClusterCount > 0))
        {
            disk.Write(dataLba + (long)(node.FirstCluster - 2) * geometry.SectorsPerCluster, node.Entries);
        }
    }

    private static void Collect(Node node, List<Node> into)
    {
        into.Add(node);
        foreach (var child in node.Children)
        {
            Collect(child, into);
        }
    }

    private byte[] DirectoryBytes(Node directory)
    {
        var entries = new List<byte[]>();
        if (directory == _root)
        {
            entries.Add(ShortEntry(Label11(volumeLabel), 0, AttrVolumeLabel, 0, 0));
        }
        else
        {
            entries.Add(ShortEntry(Encoding.ASCII.GetBytes(".          "), 0, AttrDirectory, directory.FirstCluster, 0));
            var parent = directory.Parent == _root ? 0u : directory.Parent!.FirstCluster; // ".." of a root child is 0
            entries.Add(ShortEntry(Encoding.ASCII.GetBytes("..         "), 0, AttrDirectory, parent, 0));
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var child in directory.Children)
        {
            var name = ShortName.For(child.Name, used);
            if (name.NeedsLongName)
            {
                entries.AddRange(LongNameEntries(child.Name, ShortName.Checksum(name.Bytes)));
            }

            entries.Add(ShortEntry(name.Bytes, name.CaseFlags, child.IsDirectory ? AttrDirectory : AttrArchive, child.FirstCluster,
                child.IsDirectory ? 0u : (uint)child.Content.Length));
        }

        return [.. entries.SelectMany(e => e)];
    }

    private byte[] ShortEntry(byte[] name11, byte caseFlags, byte attributes, uint cluster, uint size)
    {
        var entry = new byte[32];
        name11.CopyTo(entry, 0);
        entry[11] = attributes;
        entry[12] = caseFlags;
        var (date, time) = FatTime(timestamp);
        BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(14), time); // creation
        BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(16), date);
        BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(18), date); // last access
        BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(20), (ushort)(cluster >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(22), time); // last write
        BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(24), date);
        BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(26), (ushort)cluster);
        BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(28), size);
        return entry;
    }

    /// <summary>VFAT long-name entries, last part first, each holding 13 UTF-16 units (NUL-terminated, 0xFFFF padded).</summary>
    private static IEnumerable<byte[]> LongNameEntries(string name, byte checksum)
    {
        var units = new List<ushort>(name.Select(c => (ushort)c));
        if (units.Count % 13 != 0)
        {
            units.Add(0);
        }

        while (units.Count % 13 != 0)
        {
            units.Add(0xFFFF);
        }

        var count = units.Count / 13;
        for (var sequence = count; sequence >= 1; sequence--)
        {
            var entry = new byte[32];
            entry[0] = (byte)(sequence | (sequence == count ? 0x40 : 0));
            entry[11] = AttrLongName;
            entry[13] = checksum;
            var part = units.Skip((sequence - 1) * 13).Take(13).ToArray();
            int[] offsets = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
            for (var i = 0; i < 13; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(offsets[i]), part[i]);
            }

            yield return entry;
        }
    }

    private byte[] BootSector(Geometry geometry, uint hiddenSectors)
    {
        var sector = new byte[SectorSize];
        var s = sector.AsSpan();
        s[0] = 0xEB; // jmp short to the boot code at 0x5A, then nop
        s[1] = 0x58;
        s[2] = 0x90;
        "MSWIN4.1"u8.CopyTo(s[3..]); // the OEM name Microsoft recommends for compatibility
        BinaryPrimitives.WriteUInt16LittleEndian(s[11..], SectorSize);
        s[13] = (byte)geometry.SectorsPerCluster;
        BinaryPrimitives.WriteUInt16LittleEndian(s[14..], ReservedSectors);
        s[16] = FatCount;
        s[21] = 0xF8; // fixed disk
        BinaryPrimitives.WriteUInt16LittleEndian(s[24..], 63); // sectors per track
        BinaryPrimitives.WriteUInt16LittleEndian(s[26..], 255); // heads
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], hiddenSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(s[32..], geometry.TotalSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(s[36..], geometry.FatSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(s[44..], 2); // root directory cluster
        BinaryPrimitives.WriteUInt16LittleEndian(s[48..], 1); // FSInfo sector
        BinaryPrimitives.WriteUInt16LittleEndian(s[50..], 6); // backup boot sector
        s[64] = 0x80; // drive number
        s[66] = 0x29; // extended boot signature: the next three fields are valid
        BinaryPrimitives.WriteUInt32LittleEndian(s[67..], volumeId);
        Label11(volumeLabel).CopyTo(s[71..]);
        "FAT32   "u8.CopyTo(s[82..]);
        // Boot code: not a bootable filesystem, so just stop (cli; hlt; jmp $-1).
        s[90] = 0xFA;
        s[91] = 0xF4;
        s[92] = 0xEB;
        s[93] = 0xFD;
        s[510] = 0x55;
        s[511] = 0xAA;
        return sector;
    }

    private static byte[] FsInfoSector(uint freeClusters, uint nextFree)
    {
        var sector = new byte[SectorSize];
        BinaryPrimitives.WriteUInt32LittleEndian(sector, 0x41615252);
        BinaryPrimitives.WriteUInt32LittleEndian(sector.AsSpan(484), 0x61417272);
        BinaryPrimitives.WriteUInt32LittleEndian(sector.AsSpan(488), freeClusters);
        BinaryPrimitives.WriteUInt32LittleEndian(sector.AsSpan(492), nextFree);
        BinaryPrimitives.WriteUInt32LittleEndian(sector.AsSpan(508), 0xAA550000);
        return sector;
    }

    private static byte[] Label11(string label)
    {
        var bytes = Enumerable.Repeat((byte)' ', 11).ToArray();
        var upper = Encoding.ASCII.GetBytes(label.ToUpperInvariant());
        upper.AsSpan(0, Math.Min(11, upper.Length)).CopyTo(bytes);
        return bytes;
    }

    private static (ushort Date, ushort Time) FatTime(DateTime t) =>
        ((ushort)(((t.Year - 1980) << 9) | (t.Month << 5) | t.Day), (ushort)((t.Hour << 11) | (t.Minute << 5) | (t.Second / 2)));

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private sealed class Node(string name, bool isDirectory, byte[] content)
    {
        public string Name { get; } = name;

        public bool IsDirectory { get; } = isDirectory;

        public byte[] Content { get; } = content;

        public List<Node> Children { get; } = [];

        public Node? Parent { get; private set; }

        public byte[] Entries { get; set; } = [];

        public uint FirstCluster { get; set; }

        public uint ClusterCount { get; set; }

        public Node Add(Node child)
        {
            child.Parent = this;
            Children.Add(child);
            return child;
        }
    }

    /// <summary>Cluster size, FAT size and cluster count for a partition (Microsoft's FAT32 sizing formula).</summary>
    private sealed record Geometry(uint TotalSectors, int SectorsPerCluster, uint FatSectors, uint Clusters)
    {
        public static Geometry For(uint totalSectors)
        {
            // 32 KiB clusters (what Windows and mkfs.fat pick above 32 GiB, fine below), smaller only when a small
            // partition would otherwise have too few clusters to be FAT32.
            for (var perCluster = 64; perCluster >= 1; perCluster /= 2)
            {
                var afterReserved = (ulong)totalSectors - ReservedSectors;
                var divisor = (256UL * (ulong)perCluster + FatCount) / 2;
                var fatSectors = (afterReserved + divisor - 1) / divisor;
                var clusters = (afterReserved - FatCount * fatSectors) / (ulong)perCluster;
                if (clusters >= MinClusters && clusters <= 0x0FFFFFF5 && (clusters + 2) * 4 <= fatSectors * SectorSize)
                {
                    return new Geometry(totalSectors, perCluster, (uint)fatSectors, (uint)clusters);
                }
            }

            throw new ArgumentOutOfRangeException(nameof(totalSectors), "the partition is too small for FAT32 (33 MiB at least)");
        }
    }
}
