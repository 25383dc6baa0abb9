using System.Buffers.Binary;
using Imago.Formats.IO;
using Imago.Formats.Vhd;

namespace Imago.Formats.Tests.Vhd;

/// <summary>Runs alone so that the allocation measured around each open is ours only.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class VhdHostileCollection
{
    public const string Name = "VHD hostile input (not parallel)";
}

/// <summary>
/// Damaged and crafted VHDs: each is refused with an <see cref="ImageFormatException"/> (or, for the checker,
/// reported), never another exception, and opening one allocates a bounded amount of memory.
/// </summary>
[Collection(VhdHostileCollection.Name)]
public sealed class VhdHostileTests
{
    /// <summary>Far below what an unchecked table size (up to 16 GiB of BAT) would allocate.</summary>
    private const long AllocationBound = 8L * 1024 * 1024;

    private static readonly Lazy<byte[]> DynamicImage = new(VhdCorpus.Dynamic);
    private static readonly Lazy<byte[]> FixedImage = new(VhdCorpus.Fixed);

    public static TheoryData<string, ImageErrorKind> Cases() => new()
    {
        { "footer checksum", ImageErrorKind.Corrupt },
        { "fixed footer checksum", ImageErrorKind.Corrupt },
        { "header checksum", ImageErrorKind.Corrupt },
        { "bat entry past eof", ImageErrorKind.Truncated },
        { "bat entries overlap", ImageErrorKind.Corrupt },
        { "bat entry on header", ImageErrorKind.Corrupt },
        { "bat entry on bat", ImageErrorKind.Corrupt },
        { "bat entry on end footer", ImageErrorKind.Corrupt },
        { "max table entries huge", ImageErrorKind.TooLarge },
        { "max table entries past eof", ImageErrorKind.Truncated },
        { "max table entries too few", ImageErrorKind.Corrupt },
        { "block size 0", ImageErrorKind.Corrupt },
        { "block size not power of two", ImageErrorKind.Corrupt },
        { "block size 512", ImageErrorKind.Corrupt },
        { "block size huge", ImageErrorKind.Corrupt },
        { "differencing", ImageErrorKind.UnsupportedFormat },
        { "unknown disk type", ImageErrorKind.Corrupt },
        { "fixed type at offset 0", ImageErrorKind.Corrupt },
        { "dynamic type only at end", ImageErrorKind.Corrupt },
        { "data offset huge", ImageErrorKind.Truncated },
        { "data offset 0", ImageErrorKind.Corrupt },
        { "header cookie", ImageErrorKind.Corrupt },
        { "table offset huge", ImageErrorKind.Truncated },
        { "table offset 0", ImageErrorKind.Corrupt },
        { "table over header", ImageErrorKind.Corrupt },
        { "current size over 2040 GiB", ImageErrorKind.TooLarge },
        { "fixed size past data", ImageErrorKind.Truncated },
        { "all zeros", ImageErrorKind.Corrupt },
        { "too short", ImageErrorKind.Truncated },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task IsRefusedWithBoundedMemory(string name, ImageErrorKind kind)
    {
        var image = Craft(name);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var e = await Assert.ThrowsAsync<ImageFormatException>(async () =>
        {
            await using var disk = await VhdDiskImage.OpenAsync(new MemoryByteSource(image), CancellationToken.None);
        });
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < AllocationBound, $"opening '{name}' allocated {allocated} bytes");
        Assert.Equal(ImageFormat.Vhd, e.Format ?? ImageFormat.Vhd);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(kind, e.Kind);

        // The checker either reports the problem or refuses the file the same way.
        try
        {
            var report = await VhdChecker.CheckAsync(new MemoryByteSource(image), CancellationToken.None);
            Assert.NotEqual(0, report.ExitCode);
        }
        catch (ImageFormatException)
        {
        }
    }

    [Fact]
    public async Task TruncationAnywhereIsRefusedOrReadsCleanly()
    {
        foreach (var original in new[] { DynamicImage.Value, FixedImage.Value })
        {
            var cuts = new SortedSet<int> { 0, 1, 8, 511, 512, 513, 1024, 1535, 1536, 1540, 2047, 2048, 2560, 3072 };
            for (var cut = 4096; cut < original.Length; cut += 61 * 1024)
            {
                cuts.Add(cut);
            }

            foreach (var tail in new[] { 1, 100, 511, 512, 513, 1024, 4096 })
            {
                cuts.Add(original.Length - tail);
            }

            foreach (var cut in cuts.Where(c => c >= 0 && c < original.Length))
            {
                var image = original.AsSpan(0, cut).ToArray();
                try
                {
                    await using var disk = await VhdDiskImage.OpenAsync(new MemoryByteSource(image), CancellationToken.None);
                    // Only the end footer can be cut from a dynamic disk and leave it readable, as for qemu.
                    Assert.True(cut >= original.Length - 512, $"a file cut at {cut} was accepted");
                    var buffer = new byte[1 << 20];
                    for (long offset = 0; offset < disk.VirtualSize; offset += buffer.Length)
                    {
                        await disk.ReadAsync(offset, buffer.AsMemory(0, (int)Math.Min(buffer.Length, disk.VirtualSize - offset)));
                    }
                }
                catch (ImageFormatException)
                {
                }

                try
                {
                    await VhdChecker.CheckAsync(new MemoryByteSource(image), CancellationToken.None);
                }
                catch (ImageFormatException)
                {
                }
            }
        }
    }

    [Fact]
    public async Task RandomDamageToMetadataNeverEscapesAsAnotherException()
    {
        var random = new Random(20261127);
        for (var round = 0; round < 400; round++)
        {
            var image = (round % 4 == 0 ? FixedImage.Value : DynamicImage.Value).ToArray();
            var dynamic = round % 4 != 0;
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                var position = dynamic ? random.Next(0, 4096) : image.Length - 512 + random.Next(0, 100);
                image[position] = (byte)random.Next(256);
            }

            // Keep the checksums right so that the damage reaches the parsing behind them.
            if (dynamic)
            {
                var header = image.AsSpan(VhdCorpus.HeaderOffset, 1024).ToArray();
                VhdTestFiles.SetChecksum(header, 36);
                header.CopyTo(image, VhdCorpus.HeaderOffset);
            }

            var footer = image.AsSpan(dynamic ? 0 : image.Length - 512, 512).ToArray();
            VhdTestFiles.SetChecksum(footer, 64);
            footer.CopyTo(image, dynamic ? 0 : image.Length - 512);

            try
            {
                await using var disk = await VhdDiskImage.OpenAsync(new MemoryByteSource(image), CancellationToken.None);
                var buffer = new byte[256 * 1024];
                for (long offset = 0; offset < Math.Min(disk.VirtualSize, 16 << 20); offset += buffer.Length)
                {
                    await disk.ReadAsync(offset, buffer.AsMemory(0, (int)Math.Min(buffer.Length, disk.VirtualSize - offset)));
                    await disk.GetExtentAsync(offset, buffer.Length);
                }
            }
            catch (ImageFormatException)
            {
            }

            try
            {
                await VhdChecker.CheckAsync(new MemoryByteSource(image), CancellationToken.None);
            }
            catch (ImageFormatException)
            {
            }
        }
    }

    private static byte[] Craft(string name)
    {
        var image = DynamicImage.Value.ToArray();
        var length = image.Length;
        switch (name)
        {
            case "footer checksum":
                VhdCorpus.PatchFooters(image, f => f[40] ^= 0x10, fixChecksum: false);
                break;
            case "fixed footer checksum":
                image = FixedImage.Value.ToArray();
                VhdCorpus.PatchFooters(image, f => f[40] ^= 0x10, fixChecksum: false);
                break;
            case "header checksum":
                VhdCorpus.PatchHeader(image, h => h[100] = 7, fixChecksum: false);
                break;
            case "bat entry past eof":
                VhdCorpus.SetBatEntry(image, 1, (uint)(length / 512));
                break;
            case "bat entries overlap":
                VhdCorpus.SetBatEntry(image, 1, VhdCorpus.BatEntry(image, 0) + 8);
                break;
            case "bat entry on header":
                VhdCorpus.SetBatEntry(image, 1, 1);
                break;
            case "bat entry on bat":
                VhdCorpus.SetBatEntry(image, 1, 3);
                break;
            case "bat entry on end footer":
                // The block would run over the footer at the end of the file.
                VhdCorpus.SetBatEntry(image, 1, (uint)((length - 512 - (2 << 20)) / 512));
                break;
            case "max table entries huge":
                VhdCorpus.PatchHeader(image, h => BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(28), 0xFFFF_FFF0));
                break;
            case "max table entries past eof":
                VhdCorpus.PatchHeader(image, h => BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(28), 4_000_000));
                break;
            case "max table entries too few":
                VhdCorpus.PatchHeader(image, h => BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(28), 1));
                break;
            case "block size 0":
                VhdCorpus.PatchHeader(image, h => BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(32), 0));
                break;
            case "block size not power of two":
                VhdCorpus.PatchHeader(image, h => BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(32), 3 << 19));
                break;
            case "block size 512":
                VhdCorpus.PatchHeader(image, h => BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(32), 512));
                break;
            case "block size huge":
                VhdCorpus.PatchHeader(image, h => BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(32), 0x8000_0000));
                break;
            case "differencing":
                VhdCorpus.PatchFooters(image, f => f[63] = 4);
                break;
            case "unknown disk type":
                VhdCorpus.PatchFooters(image, f => f[63] = 9);
                break;
            case "fixed type at offset 0":
                VhdCorpus.PatchFooters(image, f => f[63] = 2);
                break;
            case "dynamic type only at end":
                image = FixedImage.Value.ToArray();
                VhdCorpus.PatchFooters(image, f => f[63] = 3);
                break;
            case "data offset huge":
                VhdCorpus.PatchFooters(image, f => BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan(16), 0x7FFF_FFFF_FFFF_0000));
                break;
            case "data offset 0":
                VhdCorpus.PatchFooters(image, f => BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan(16), 0));
                break;
            case "header cookie":
                VhdCorpus.PatchHeader(image, h => h[0] = (byte)'X');
                break;
            case "table offset huge":
                VhdCorpus.PatchHeader(image, h => BinaryPrimitives.WriteUInt64BigEndian(h.AsSpan(16), ulong.MaxValue - 3));
                break;
            case "table offset 0":
                VhdCorpus.PatchHeader(image, h => BinaryPrimitives.WriteUInt64BigEndian(h.AsSpan(16), 0));
                break;
            case "table over header":
                VhdCorpus.PatchHeader(image, h => BinaryPrimitives.WriteUInt64BigEndian(h.AsSpan(16), 1024));
                break;
            case "current size over 2040 GiB":
                VhdCorpus.PatchFooters(image, f => BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan(48), 2041UL << 30));
                break;
            case "fixed size past data":
                image = FixedImage.Value.ToArray();
                VhdCorpus.PatchFooters(image, f => BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan(48), 64UL << 20));
                break;
            case "all zeros":
                image = new byte[1 << 20];
                break;
            case "too short":
                image = "conectix"u8.ToArray();
                break;
            default:
                throw new ArgumentException(name);
        }

        return image;
    }
}
