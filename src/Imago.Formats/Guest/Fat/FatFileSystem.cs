using System.Buffers.Binary;
using Imago.Formats.Guest.FileSystems;

namespace Imago.Formats.Guest.Fat;

/// <summary>
/// Reads files and directories of a FAT12/16/32 volume: cluster chains through the first FAT, 8.3 and long
/// (VFAT) names compared case-insensitively, as Windows and Linux do. Chains are bounded by the cluster count and
/// by what the caller asked for, so a looping or cross-linked FAT cannot hold detection.
/// </summary>
internal sealed class FatFileSystem : IGuestFileSystem
{
    /// <summary>Largest directory read (32768 entries); /etc on a real system has a few hundred.</summary>
    private const int MaxDirectoryBytes = 1 << 20;

    private const byte AttributeLongName = 0x0F;
    private const byte AttributeDirectory = 0x10;
    private const byte AttributeVolumeLabel = 0x08;
    private const byte EntryDeleted = 0xE5;
    private const byte LongNameLast = 0x40;
    private const int LongNameChars = 13;
    private const int MaxLongNameParts = 20;

    private readonly GuestVolumeReader _volume;
    private readonly FatBootSector _boot;
    private readonly FatTable _fat;

    private FatFileSystem(GuestVolumeReader volume, FatBootSector boot)
    {
        _volume = volume;
        _boot = boot;
        _fat = new FatTable(volume, boot);
        Root = new FatNode(GuestNodeKind.Directory, 0, boot.Kind == FileSystemKind.Fat32 ? boot.RootCluster : 0, isFixedRoot: boot.Kind != FileSystemKind.Fat32);
    }

    public GuestNode Root { get; }

    public static async ValueTask<FatFileSystem?> OpenAsync(GuestVolumeReader volume, CancellationToken cancellationToken)
    {
        var sector = await volume.ReadHeadAsync(512, cancellationToken).ConfigureAwait(false);
        if (!FatBootSector.TryParse(sector, out var boot) || boot.DataOffset + (boot.ClusterCount * boot.ClusterBytes) > volume.Length)
        {
            return null;
        }

        return new FatFileSystem(volume, boot);
    }

    public async ValueTask<GuestNode?> LookupAsync(GuestNode directory, string name, CancellationToken cancellationToken)
    {
        var content = await ReadDirectoryAsync((FatNode)directory, cancellationToken).ConfigureAwait(false);
        var longName = new char[MaxLongNameParts * LongNameChars];
        var longNameParts = 0;
        var longNameChecksum = -1;
        for (var offset = 0; offset + FatBootSector.DirectoryEntrySize <= content.Length; offset += FatBootSector.DirectoryEntrySize)
        {
            var entry = content.AsSpan(offset, FatBootSector.DirectoryEntrySize);
            if (entry[0] == 0)
            {
                break; // end of directory
            }

            if (entry[0] == EntryDeleted)
            {
                longNameParts = 0;
                continue;
            }

            if (entry[11] == AttributeLongName)
            {
                var sequence = entry[0] & 0x1F;
                if ((entry[0] & LongNameLast) != 0)
                {
                    longNameParts = sequence;
                    longNameChecksum = entry[13];
                    Array.Fill(longName, '\0');
                }

                if (sequence is >= 1 and <= MaxLongNameParts && sequence <= longNameParts)
                {
                    CopyLongNameChars(entry, longName.AsSpan((sequence - 1) * LongNameChars, LongNameChars));
                }

                continue;
            }

            var entryName = longNameParts > 0 && longNameParts <= MaxLongNameParts && longNameChecksum == ShortNameChecksum(entry[..11])
                ? new string(longName, 0, longNameParts * LongNameChars).TrimEnd('\0')
                : ShortName(entry[..11]);
            longNameParts = 0;
            if ((entry[11] & AttributeVolumeLabel) != 0 || !string.Equals(entryName, name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var cluster = ((uint)BinaryPrimitives.ReadUInt16LittleEndian(entry[20..]) << 16) | BinaryPrimitives.ReadUInt16LittleEndian(entry[26..]);
            var isDirectory = (entry[11] & AttributeDirectory) != 0;
            if (isDirectory && cluster == 0)
            {
                return Root; // ".." of a first-level directory points at the root as cluster 0
            }

            return new FatNode(isDirectory ? GuestNodeKind.Directory : GuestNodeKind.File,
                isDirectory ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(entry[28..]), cluster, isFixedRoot: false);
        }

        return null;
    }

    public async ValueTask<byte[]> ReadFileAsync(GuestNode file, int maxBytes, CancellationToken cancellationToken)
    {
        if (file.Size > maxBytes)
        {
            throw new GuestDataException($"a {file.Size}-byte file is larger than the {maxBytes} bytes detection reads");
        }

        var content = await ReadChainAsync(((FatNode)file).FirstCluster, (int)file.Size, cancellationToken).ConfigureAwait(false);
        if (content.Length < file.Size)
        {
            throw new GuestDataException("a file's cluster chain ends before its size");
        }

        return content.Length == file.Size ? content : content[..(int)file.Size];
    }

    public ValueTask<string> ReadLinkAsync(GuestNode link, CancellationToken cancellationToken) =>
        throw new GuestDataException("FAT has no symbolic links");

    private ValueTask<byte[]> ReadDirectoryAsync(FatNode directory, CancellationToken cancellationToken) =>
        directory.IsFixedRoot
            ? _volume.ReadAsync(_boot.RootDirectoryOffset, (int)Math.Min(_boot.RootDirectoryBytes, MaxDirectoryBytes), cancellationToken)
            : ReadChainAsync(directory.FirstCluster, MaxDirectoryBytes, cancellationToken);

    /// <summary>Reads the chain from <paramref name="firstCluster"/>, at most <paramref name="maxBytes"/> (rounded up to a cluster).</summary>
    private async ValueTask<byte[]> ReadChainAsync(uint firstCluster, int maxBytes, CancellationToken cancellationToken)
    {
        if (maxBytes == 0)
        {
            return [];
        }

        var clusters = await _fat.ChainAsync(firstCluster, (int)((maxBytes + _boot.ClusterBytes - 1) / _boot.ClusterBytes), cancellationToken).ConfigureAwait(false);
        var content = new byte[clusters.Count * _boot.ClusterBytes];
        for (var i = 0; i < clusters.Count; i++)
        {
            var cluster = await _volume.ReadAsync(_boot.DataOffset + ((clusters[i] - 2) * _boot.ClusterBytes), (int)_boot.ClusterBytes, cancellationToken)
                .ConfigureAwait(false);
            cluster.CopyTo(content, i * _boot.ClusterBytes);
        }

        return content.Length > maxBytes ? content[..maxBytes] : content;
    }

    private static void CopyLongNameChars(ReadOnlySpan<byte> entry, Span<char> destination)
    {
        ReadOnlySpan<int> offsets = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
        for (var i = 0; i < LongNameChars; i++)
        {
            var c = (char)BinaryPrimitives.ReadUInt16LittleEndian(entry[offsets[i]..]);
            destination[i] = c == '\uFFFF' ? '\0' : c;
        }
    }

    private static string ShortName(ReadOnlySpan<byte> name)
    {
        var chars = new char[11];
        for (var i = 0; i < 11; i++)
        {
            chars[i] = (char)name[i];
        }

        if (chars[0] == '\u0005')
        {
            chars[0] = (char)EntryDeleted; // 0x05 stands for a real 0xE5 first byte
        }

        var baseName = new string(chars, 0, 8).TrimEnd(' ');
        var extension = new string(chars, 8, 3).TrimEnd(' ');
        return extension.Length == 0 ? baseName : $"{baseName}.{extension}";
    }

    private static int ShortNameChecksum(ReadOnlySpan<byte> name)
    {
        byte sum = 0;
        foreach (var b in name)
        {
            sum = (byte)((((sum & 1) << 7) | (sum >> 1)) + b);
        }

        return sum;
    }

    private sealed class FatNode(GuestNodeKind kind, long size, uint firstCluster, bool isFixedRoot) : GuestNode(kind, size)
    {
        public uint FirstCluster { get; } = firstCluster;

        public bool IsFixedRoot { get; } = isFixedRoot;
    }
}
