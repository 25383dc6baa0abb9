using Imago.Formats.Checking;
using Imago.Formats.IO;

namespace Imago.Formats.Vhd;

/// <summary>
/// Consistency check for VHD images. qemu-img check does not support vpc (it exits 63), so this follows the
/// spirit of DiscUtils' FileChecker with qemu-img check's vocabulary:
/// corruptions are problems that make the content wrong or unreadable (bad checksums, footer copies that differ,
/// a missing end footer, BAT entries past the end of the file or over metadata, blocks sharing file space);
/// leaks are whole stored blocks' worth of file space that nothing uses (gaps between structures, blocks only
/// unreachable BAT entries point to). Smaller gaps (alignment padding) are noted but not counted.
/// Unlike the reader, the checker walks on after a problem and reports everything it can reach.
/// </summary>
internal static class VhdChecker
{
    private const int MaxMessages = 100;

    public static async ValueTask<CheckReport> CheckAsync(IByteSource source, CancellationToken cancellationToken)
    {
        var findings = new Findings();
        try
        {
            await CheckCoreAsync(source, findings, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OverflowException or IndexOutOfRangeException or ArgumentException)
        {
            throw new ImageFormatException(ImageErrorKind.Corrupt, $"VHD image is corrupt: malformed metadata ({e.Message})",
                ImageFormat.Vhd, e);
        }

        return findings.ToReport();
    }

    private static async ValueTask CheckCoreAsync(IByteSource source, Findings findings, CancellationToken cancellationToken)
    {
        var length = source.Length;
        if (length < VhdConstants.FooterSize)
        {
            throw ImageFormatException.Truncated(ImageFormat.Vhd, "the footer");
        }

        var head = new byte[VhdConstants.FooterSize];
        var tail = new byte[VhdConstants.FooterSize];
        await source.ReadExactlyAsync(0, head, ImageFormat.Vhd, "the footer copy", cancellationToken).ConfigureAwait(false);
        await source.ReadExactlyAsync(length - VhdConstants.FooterSize, tail, ImageFormat.Vhd, "the footer", cancellationToken)
            .ConfigureAwait(false);
        var hasHead = VhdFooter.HasCookie(head) && length > VhdConstants.FooterSize;
        var hasTail = VhdFooter.HasCookie(tail);
        if (!hasHead && !hasTail)
        {
            throw ImageFormatException.Corrupt(ImageFormat.Vhd, "no footer (cookie \"conectix\") at the start or the end of the file");
        }

        // Readers (qemu's and ours) take a footer at offset 0 as the mark of a dynamic disk.
        var dynamic = hasHead;
        var footer = VhdFooter.Parse(dynamic ? head : tail);
        if (footer.DiskType == VhdDiskType.Differencing)
        {
            throw ImageFormatException.Unsupported(ImageFormat.Vhd, "VHD differencing disks");
        }

        if (hasHead && !VhdFooter.Parse(head).IsChecksumValid)
        {
            findings.Corrupt($"the footer copy at offset 0 has checksum 0x{footer.Checksum:x8} but sums to 0x{footer.ComputedChecksum:x8}");
        }

        if (hasTail && !VhdFooter.Parse(tail).IsChecksumValid)
        {
            var t = VhdFooter.Parse(tail);
            findings.Corrupt($"the footer at the end of the file has checksum 0x{t.Checksum:x8} but sums to 0x{t.ComputedChecksum:x8}");
        }

        if (dynamic && !hasTail)
        {
            findings.Corrupt("no footer at the end of the file (a dynamic disk keeps one after its last block)");
        }
        else if (dynamic && !head.AsSpan().SequenceEqual(tail))
        {
            findings.Corrupt("the footer at the end of the file differs from the copy at offset 0");
        }

        CheckFooterFields(footer, findings);
        var expectedType = dynamic ? VhdDiskType.Dynamic : VhdDiskType.Fixed;
        if (footer.DiskType != expectedType)
        {
            findings.Corrupt($"the footer declares disk type {(uint)footer.DiskType} but is laid out as a {expectedType.ToString().ToLowerInvariant()} disk");
            return;
        }

        long virtualSize;
        try
        {
            virtualSize = VhdSizeRule.VirtualSize(footer);
        }
        catch (ImageFormatException e)
        {
            findings.Corrupt(e.Message);
            return;
        }

        if (!dynamic)
        {
            CheckFixed(footer, virtualSize, length, findings);
            return;
        }

        await CheckDynamicAsync(source, footer, virtualSize, hasTail, findings, cancellationToken).ConfigureAwait(false);
    }

    private static void CheckFooterFields(VhdFooter footer, Findings findings)
    {
        if ((footer.Features & VhdConstants.FeaturesReserved) == 0)
        {
            findings.Note($"footer features 0x{footer.Features:x8} lack the reserved bit 0x2 the specification requires");
        }

        if (footer.FormatVersion != VhdConstants.FormatVersion)
        {
            findings.Note($"footer format version 0x{footer.FormatVersion:x8} is not 0x00010000");
        }
    }

    private static void CheckFixed(VhdFooter footer, long virtualSize, long length, Findings findings)
    {
        var dataArea = length - VhdConstants.FooterSize;
        findings.ImageEndOffset = length;
        if (virtualSize > dataArea)
        {
            findings.Corrupt($"the disk is {virtualSize} bytes but the file holds only {dataArea} bytes of data before its footer");
        }
        else if ((ulong)dataArea != footer.CurrentSize)
        {
            findings.Note($"the file holds {dataArea} bytes of data but the footer's current size is {footer.CurrentSize}");
        }
    }

    private static async ValueTask CheckDynamicAsync(IByteSource source, VhdFooter footer, long virtualSize, bool hasTail,
        Findings findings, CancellationToken cancellationToken)
    {
        var length = source.Length;
        if (footer.DataOffset < VhdConstants.FooterSize || length < VhdConstants.DynamicHeaderSize
            || footer.DataOffset > (ulong)(length - VhdConstants.DynamicHeaderSize))
        {
            findings.Corrupt($"the dynamic header offset {footer.DataOffset} is outside the file or overlaps the footer copy");
            return;
        }

        var headerOffset = (long)footer.DataOffset;
        var data = new byte[VhdConstants.DynamicHeaderSize];
        await source.ReadExactlyAsync(headerOffset, data, ImageFormat.Vhd, "the dynamic header", cancellationToken).ConfigureAwait(false);
        if (!VhdDynamicHeader.HasCookie(data))
        {
            findings.Corrupt($"no dynamic header (cookie \"cxsparse\") at offset {headerOffset}");
            return;
        }

        var header = VhdDynamicHeader.Parse(data);
        if (!header.IsChecksumValid)
        {
            findings.Corrupt($"the dynamic header has checksum 0x{header.Checksum:x8} but sums to 0x{header.ComputedChecksum:x8}");
        }

        if (!VhdLayout.IsSupportedBlockSize(header.BlockSize))
        {
            findings.Corrupt($"block size {header.BlockSize} is not a power of two from 4 KiB to 256 MiB");
            return;
        }

        var blockSize = (int)header.BlockSize;
        var stride = (long)VhdDynamicHeader.BitmapSize(blockSize) + blockSize;
        var needed = VhdLayout.BlocksNeeded(virtualSize, blockSize);
        long entries = header.MaxTableEntries;
        if (entries < needed)
        {
            findings.Corrupt($"the block allocation table has {entries} entries but the {virtualSize}-byte disk needs {needed}");
        }

        if (entries > VhdConstants.MaxBatEntries)
        {
            findings.CheckError($"the block allocation table has {entries} entries, more than the {VhdConstants.MaxBatEntries} this check handles");
            return;
        }

        var tableBytes = entries * 4;
        var paddedTableBytes = (tableBytes + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize * VhdConstants.SectorSize;
        if (header.TableOffset < VhdConstants.FooterSize || tableBytes > length || header.TableOffset > (ulong)(length - tableBytes))
        {
            findings.Corrupt($"the block allocation table ({entries} entries at offset {header.TableOffset}) is outside the file or overlaps the footer copy");
            return;
        }

        var tableOffset = (long)header.TableOffset;
        if (VhdLayout.Overlaps(tableOffset, tableBytes, headerOffset, VhdConstants.DynamicHeaderSize))
        {
            findings.Corrupt("the block allocation table overlaps the dynamic header");
        }

        var used = new List<(long Offset, long Length)>
        {
            (0, VhdConstants.FooterSize),
            (headerOffset, VhdConstants.DynamicHeaderSize),
            (tableOffset, Math.Min(paddedTableBytes, length - tableOffset)),
        };
        var metadata = VhdBatWalker.MetadataRegions(headerOffset, tableOffset, tableBytes, length, hasTail);
        if (hasTail)
        {
            used.Add((length - VhdConstants.FooterSize, VhdConstants.FooterSize));
        }

        // Blocks packed as (file sector << 32 | BAT index), so that sorting by file position keeps the index for messages.
        var blocks = new List<ulong>();
        long allocated = 0;
        long fragmented = 0;
        long previousEnd = -1;
        await VhdBatWalker.ForEachEntryAsync(source, tableOffset, entries, (index, entry) =>
        {
            if (entry == VhdConstants.UnallocatedBlock)
            {
                return;
            }

            var start = (long)entry * VhdConstants.SectorSize;
            if (start > length - stride)
            {
                findings.Corrupt($"BAT entry {index} points to offset {start}, past the end of the file");
                return;
            }

            var overlapsMetadata = false;
            foreach (var (offset, size, name) in metadata)
            {
                if (VhdLayout.Overlaps(start, stride, offset, size))
                {
                    findings.Corrupt($"BAT entry {index}: the block at offset {start} overlaps the {name}");
                    overlapsMetadata = true;
                }
            }

            if (overlapsMetadata)
            {
                return;
            }

            blocks.Add(((ulong)entry << 32) | (uint)index);
            if (index >= needed)
            {
                findings.Leak(1, $"BAT entry {index} lies beyond the end of the disk; its block at offset {start} is unreachable");
                return;
            }

            allocated++;
            if (previousEnd >= 0 && start != previousEnd)
            {
                fragmented++;
            }

            previousEnd = start + stride;
        }, cancellationToken).ConfigureAwait(false);

        blocks.Sort();
        for (var i = 1; i < blocks.Count; i++)
        {
            var previous = (long)(blocks[i - 1] >> 32) * VhdConstants.SectorSize;
            var current = (long)(blocks[i] >> 32) * VhdConstants.SectorSize;
            if (current - previous < stride)
            {
                findings.Corrupt($"BAT entries {(uint)blocks[i - 1]} and {(uint)blocks[i]} share file space at offset {current}");
            }
        }

        foreach (var block in blocks)
        {
            used.Add(((long)(block >> 32) * VhdConstants.SectorSize, stride));
        }

        ReportUnusedSpace(used, length, stride, findings);
        findings.TotalClusters = needed;
        findings.AllocatedClusters = allocated;
        findings.FragmentedClusters = fragmented;
        findings.ImageEndOffset = used.Max(u => u.Offset + u.Length);
    }

    /// <summary>Gaps no structure uses: each whole stored block's worth counts as a leak, less is padding.</summary>
    private static void ReportUnusedSpace(List<(long Offset, long Length)> used, long length, long stride, Findings findings)
    {
        used.Sort();
        long covered = 0;
        foreach (var (offset, size) in used)
        {
            if (offset > covered)
            {
                ReportGap(covered, offset - covered, stride, findings);
            }

            covered = Math.Max(covered, offset + size);
        }

        if (covered < length)
        {
            ReportGap(covered, length - covered, stride, findings);
        }
    }

    private static void ReportGap(long offset, long size, long stride, Findings findings)
    {
        var wasted = size / stride;
        if (wasted > 0)
        {
            findings.Leak(wasted, $"{size} bytes at offset {offset} are used by no structure ({wasted} blocks' worth)");
        }
        else
        {
            findings.Note($"{size} bytes at offset {offset} are used by no structure (padding)");
        }
    }

    private sealed class Findings
    {
        private readonly CheckMessages _messages = new(MaxMessages);

        public long Corruptions { get; private set; }

        public long Leaks { get; private set; }

        public long CheckErrors { get; private set; }

        public long? ImageEndOffset { get; set; }

        public long? TotalClusters { get; set; }

        public long? AllocatedClusters { get; set; }

        public long? FragmentedClusters { get; set; }

        public void Corrupt(string message)
        {
            Corruptions++;
            Add("ERROR: " + message);
        }

        public void Leak(long count, string message)
        {
            Leaks += count;
            Add("Leaked: " + message);
        }

        public void CheckError(string message)
        {
            CheckErrors++;
            Add("ERROR (check incomplete): " + message);
        }

        public void Note(string message) => Add("Note: " + message);

        public CheckReport ToReport()
        {
            return new CheckReport
            {
                Format = ImageFormat.Vhd,
                Corruptions = Corruptions,
                Leaks = Leaks,
                CheckErrors = CheckErrors,
                ImageEndOffset = ImageEndOffset,
                TotalClusters = TotalClusters,
                AllocatedClusters = AllocatedClusters,
                FragmentedClusters = FragmentedClusters,
                Messages = _messages.ToList(),
            };
        }

        private void Add(string message) => _messages.Add(message);
    }
}
