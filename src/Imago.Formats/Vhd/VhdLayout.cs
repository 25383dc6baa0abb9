using System.Numerics;
using Imago.Formats.IO;

namespace Imago.Formats.Vhd;

/// <summary>
/// The validated structure of a VHD: footer, and for a dynamic disk its header and block allocation table.
/// Loading checks every offset and size against the file before anything is read through it, so a reader
/// built on it can trust the table: every allocated block lies inside the file and overlaps neither another
/// block nor the metadata.
/// </summary>
internal sealed class VhdLayout
{
    private readonly uint[] _bat;

    private VhdLayout(VhdFooter footer, long virtualSize, VhdDynamicHeader? header, uint[] bat)
    {
        Footer = footer;
        VirtualSize = virtualSize;
        Header = header;
        _bat = bat;
        if (header is not null)
        {
            BlockSize = (int)header.BlockSize;
            BitmapSize = VhdDynamicHeader.BitmapSize(BlockSize);
        }
    }

    public VhdFooter Footer { get; }

    public VhdDynamicHeader? Header { get; }

    public bool IsDynamic => Header is not null;

    public long VirtualSize { get; }

    public int BlockSize { get; }

    public int BitmapSize { get; }

    /// <summary>Where block <paramref name="block"/>'s data starts in the file, or -1 when it is not allocated.</summary>
    public long BlockDataOffset(long block) =>
        (ulong)block < (ulong)_bat.Length && _bat[block] != VhdConstants.UnallocatedBlock
            ? (long)_bat[block] * VhdConstants.SectorSize + BitmapSize
            : -1;

    public static async ValueTask<VhdLayout> LoadAsync(IByteSource source, CancellationToken cancellationToken)
    {
        try
        {
            return await LoadCoreAsync(source, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OverflowException or IndexOutOfRangeException or ArgumentException)
        {
            // Every field is bounded before use; this only turns an oversight into a clean refusal.
            throw new ImageFormatException(ImageErrorKind.Corrupt, $"VHD image is corrupt: malformed metadata ({e.Message})",
                ImageFormat.Vhd, e);
        }
    }

    private static async ValueTask<VhdLayout> LoadCoreAsync(IByteSource source, CancellationToken cancellationToken)
    {
        var length = source.Length;
        if (length < VhdConstants.FooterSize)
        {
            throw ImageFormatException.Truncated(ImageFormat.Vhd, "the footer");
        }

        var sector = new byte[VhdConstants.FooterSize];
        await source.ReadExactlyAsync(0, sector, ImageFormat.Vhd, "the footer copy", cancellationToken).ConfigureAwait(false);

        // Like qemu: a footer at offset 0 means a dynamic disk, otherwise the footer at the end means a fixed one.
        // A 512-byte file is an empty fixed disk: its only sector is the end footer (qemu cannot open those).
        var dynamic = VhdFooter.HasCookie(sector) && length > VhdConstants.FooterSize;
        if (!dynamic)
        {
            await source.ReadExactlyAsync(length - VhdConstants.FooterSize, sector, ImageFormat.Vhd, "the footer", cancellationToken)
                .ConfigureAwait(false);
            if (!VhdFooter.HasCookie(sector))
            {
                throw ImageFormatException.Corrupt(ImageFormat.Vhd, "no footer (cookie \"conectix\") at the start or the end of the file");
            }
        }

        var footer = VhdFooter.Parse(sector);
        var where = dynamic ? "offset 0" : "the end of the file";
        if (!footer.IsChecksumValid)
        {
            throw ImageFormatException.Corrupt(ImageFormat.Vhd,
                $"footer checksum at {where} is 0x{footer.Checksum:x8} but the footer sums to 0x{footer.ComputedChecksum:x8}");
        }

        if (footer.DiskType == VhdDiskType.Differencing)
        {
            throw ImageFormatException.Unsupported(ImageFormat.Vhd, "VHD differencing disks");
        }

        var expectedType = dynamic ? VhdDiskType.Dynamic : VhdDiskType.Fixed;
        if (footer.DiskType != expectedType)
        {
            throw ImageFormatException.Corrupt(ImageFormat.Vhd,
                $"the footer at {where} declares disk type {(uint)footer.DiskType}; a footer there belongs to a {expectedType.ToString().ToLowerInvariant()} disk (type {(uint)expectedType})");
        }

        var virtualSize = VhdSizeRule.VirtualSize(footer);
        if (!dynamic)
        {
            if (virtualSize > length - VhdConstants.FooterSize)
            {
                throw ImageFormatException.Truncated(ImageFormat.Vhd, $"the fixed disk's data ({virtualSize} bytes)");
            }

            return new VhdLayout(footer, virtualSize, header: null, bat: []);
        }

        var header = await ReadDynamicHeaderAsync(source, footer, cancellationToken).ConfigureAwait(false);
        var bat = await ReadBatAsync(source, footer, header, virtualSize, cancellationToken).ConfigureAwait(false);
        return new VhdLayout(footer, virtualSize, header, bat);
    }

    private static async ValueTask<VhdDynamicHeader> ReadDynamicHeaderAsync(IByteSource source, VhdFooter footer,
        CancellationToken cancellationToken)
    {
        var length = source.Length;
        if (footer.DataOffset < VhdConstants.FooterSize)
        {
            throw ImageFormatException.Corrupt(ImageFormat.Vhd,
                $"the dynamic header offset {footer.DataOffset} overlaps the footer copy at offset 0");
        }

        if (length < VhdConstants.DynamicHeaderSize || footer.DataOffset > (ulong)(length - VhdConstants.DynamicHeaderSize))
        {
            throw ImageFormatException.Truncated(ImageFormat.Vhd, $"the dynamic header (offset {footer.DataOffset})");
        }

        var data = new byte[VhdConstants.DynamicHeaderSize];
        await source.ReadExactlyAsync((long)footer.DataOffset, data, ImageFormat.Vhd, "the dynamic header", cancellationToken)
            .ConfigureAwait(false);
        if (!VhdDynamicHeader.HasCookie(data))
        {
            throw ImageFormatException.Corrupt(ImageFormat.Vhd,
                $"no dynamic header (cookie \"cxsparse\") at offset {footer.DataOffset}");
        }

        var header = VhdDynamicHeader.Parse(data);
        if (!header.IsChecksumValid)
        {
            throw ImageFormatException.Corrupt(ImageFormat.Vhd,
                $"dynamic header checksum is 0x{header.Checksum:x8} but the header sums to 0x{header.ComputedChecksum:x8}");
        }

        if (!IsSupportedBlockSize(header.BlockSize))
        {
            throw ImageFormatException.Corrupt(ImageFormat.Vhd,
                $"block size {header.BlockSize} is not supported (a power of two from 4 KiB to 256 MiB is required)");
        }

        return header;
    }

    public static bool IsSupportedBlockSize(uint blockSize) =>
        BitOperations.IsPow2(blockSize) && blockSize is >= VhdConstants.MinBlockSize and <= VhdConstants.MaxBlockSize;

    /// <summary>Number of BAT entries a disk of <paramref name="virtualSize"/> bytes needs.</summary>
    public static long BlocksNeeded(long virtualSize, int blockSize) => (virtualSize + blockSize - 1) / blockSize;

    private static async ValueTask<uint[]> ReadBatAsync(IByteSource source, VhdFooter footer, VhdDynamicHeader header,
        long virtualSize, CancellationToken cancellationToken)
    {
        var length = source.Length;
        var blockSize = (int)header.BlockSize;
        var needed = BlocksNeeded(virtualSize, blockSize);
        long entries = header.MaxTableEntries;
        if (entries < needed)
        {
            throw ImageFormatException.Corrupt(ImageFormat.Vhd,
                $"the block allocation table has {entries} entries but the {virtualSize}-byte disk needs {needed}");
        }

        if (entries > VhdConstants.MaxBatEntries)
        {
            throw new ImageFormatException(ImageErrorKind.TooLarge,
                $"VHD block allocation table has {entries} entries; at most {VhdConstants.MaxBatEntries} are supported", ImageFormat.Vhd);
        }

        var tableBytes = entries * 4;
        if (header.TableOffset < VhdConstants.FooterSize)
        {
            throw ImageFormatException.Corrupt(ImageFormat.Vhd,
                $"the block allocation table offset {header.TableOffset} overlaps the footer copy at offset 0");
        }

        if (tableBytes > length || header.TableOffset > (ulong)(length - tableBytes))
        {
            throw ImageFormatException.Truncated(ImageFormat.Vhd, $"the block allocation table ({entries} entries at offset {header.TableOffset})");
        }

        var tableOffset = (long)header.TableOffset;
        var headerOffset = (long)footer.DataOffset;
        if (Overlaps(tableOffset, tableBytes, headerOffset, VhdConstants.DynamicHeaderSize))
        {
            throw ImageFormatException.Corrupt(ImageFormat.Vhd, "the block allocation table overlaps the dynamic header");
        }

        var trailer = new byte[VhdConstants.FooterSize];
        await source.ReadExactlyAsync(length - VhdConstants.FooterSize, trailer, ImageFormat.Vhd, "the footer", cancellationToken)
            .ConfigureAwait(false);
        var metadata = VhdBatWalker.MetadataRegions(headerOffset, tableOffset, tableBytes, length, VhdFooter.HasCookie(trailer));

        var stride = (long)VhdDynamicHeader.BitmapSize(blockSize) + blockSize;
        var bat = new uint[needed];
        await VhdBatWalker.ForEachEntryAsync(source, tableOffset, entries, (index, entry) =>
        {
            if (entry != VhdConstants.UnallocatedBlock)
            {
                CheckBlockPlacement(index, entry, stride, length, metadata);
            }

            if (index < needed)
            {
                bat[index] = entry;
            }
        }, cancellationToken).ConfigureAwait(false);

        CheckBlocksDoNotOverlap(bat, stride);
        return bat;
    }

    private static void CheckBlockPlacement(long index, uint entry, long stride, long fileLength,
        List<(long Offset, long Length, string Name)> metadata)
    {
        var start = (long)entry * VhdConstants.SectorSize;
        if (start > fileLength - stride)
        {
            // qemu refuses the same file: "free_data_block_offset points after the end of file".
            throw ImageFormatException.Truncated(ImageFormat.Vhd, $"data block {index} (offset {start})");
        }

        foreach (var (offset, size, name) in metadata)
        {
            if (Overlaps(start, stride, offset, size))
            {
                throw ImageFormatException.Corrupt(ImageFormat.Vhd, $"data block {index} at offset {start} overlaps the {name}");
            }
        }
    }

    private static void CheckBlocksDoNotOverlap(uint[] bat, long stride)
    {
        var allocated = bat.Where(e => e != VhdConstants.UnallocatedBlock).ToArray();
        Array.Sort(allocated);
        for (var i = 1; i < allocated.Length; i++)
        {
            if ((long)(allocated[i] - allocated[i - 1]) * VhdConstants.SectorSize < stride)
            {
                throw ImageFormatException.Corrupt(ImageFormat.Vhd,
                    $"two data blocks overlap at offset {(long)allocated[i] * VhdConstants.SectorSize}");
            }
        }
    }

    public static bool Overlaps(long aOffset, long aLength, long bOffset, long bLength) =>
        aOffset < bOffset + bLength && bOffset < aOffset + aLength;
}
