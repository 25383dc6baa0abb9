using System.Buffers.Binary;
using Imago.Formats.IO;
using Imago.Formats.Qcow2;
using Imago.Formats.Tests.Infrastructure;
using ZstdSharp;

namespace Imago.Formats.Tests.Qcow2;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Qcow2HostileCollection
{
    public const string Name = "qcow2 hostile (memory measured, not parallel)";
}

/// <summary>
/// Crafted qcow2 files: each must be refused with <see cref="ImageFormatException"/> (or checked with
/// corruptions found), never crash with another exception, never hang, and never allocate more than a
/// small bound whatever the sizes the file claims.
/// </summary>
[Collection(Qcow2HostileCollection.Name)]
public sealed class Qcow2HostileTests(Qcow2HostileFixture fixture) : IClassFixture<Qcow2HostileFixture>
{
    /// <summary>Managed allocation allowed for opening, mapping, reading 64 MiB and checking one small hostile file.</summary>
    private const long AllocationBound = 48L << 20;

    private const long ReadLimit = 64L << 20;

    private enum Outcome
    {
        Refused,
        Read,
    }

    private sealed record Result(Outcome Reader, ImageFormatException? ReaderError, long CheckCorruptions, ImageFormatException? CheckError);

    public static TheoryData<string, string> HeaderCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var image in Qcow2HostileFixture.BaseImages)
        {
            foreach (var c in new[]
            {
                "l1-size-huge", "l1-size-32MiB", "l1-size-too-small", "l1-offset-past-end", "l1-offset-unaligned", "l1-offset-zero",
                "refcount-table-huge", "refcount-table-past-end", "refcount-table-zero", "cluster-bits-8", "cluster-bits-22", "cluster-bits-huge",
                "virtual-size-huge", "snapshots-huge", "snapshots-past-end", "header-length-huge", "extension-length-huge", "refcount-order-7",
            })
            {
                data.Add(image, c);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HeaderCases))]
    public async Task DamagedHeaderIsRefused(string image, string damage)
    {
        var file = fixture.Bytes(image);
        var s = new Qcow2Surgery(fixture.Path(image));
        var span = file.AsSpan();
        switch (damage)
        {
            case "l1-size-huge": BinaryPrimitives.WriteUInt32BigEndian(span[36..], uint.MaxValue); break;
            case "l1-size-32MiB": BinaryPrimitives.WriteUInt32BigEndian(span[36..], 4u << 20); break;
            case "l1-size-too-small": BinaryPrimitives.WriteUInt32BigEndian(span[36..], 0); break;
            case "l1-offset-past-end": BinaryPrimitives.WriteUInt64BigEndian(span[40..], (ulong)(file.Length + s.ClusterSize * 4L) / (ulong)s.ClusterSize * (ulong)s.ClusterSize); break;
            case "l1-offset-unaligned": BinaryPrimitives.WriteUInt64BigEndian(span[40..], (ulong)s.Header.L1TableOffset + 8); break;
            case "l1-offset-zero": BinaryPrimitives.WriteUInt64BigEndian(span[40..], 0); break;
            case "refcount-table-huge": BinaryPrimitives.WriteUInt32BigEndian(span[56..], uint.MaxValue); break;
            case "refcount-table-past-end": BinaryPrimitives.WriteUInt64BigEndian(span[48..], (ulong)file.Length * 4 / (ulong)s.ClusterSize * (ulong)s.ClusterSize); break;
            case "refcount-table-zero": BinaryPrimitives.WriteUInt32BigEndian(span[56..], 0); break;
            case "cluster-bits-8": BinaryPrimitives.WriteUInt32BigEndian(span[20..], 8); break;
            case "cluster-bits-22": BinaryPrimitives.WriteUInt32BigEndian(span[20..], 22); break;
            case "cluster-bits-huge": BinaryPrimitives.WriteUInt32BigEndian(span[20..], 200); break;
            case "virtual-size-huge": BinaryPrimitives.WriteUInt64BigEndian(span[24..], ulong.MaxValue / 2); break;
            case "snapshots-huge": BinaryPrimitives.WriteUInt32BigEndian(span[60..], uint.MaxValue); break;
            case "snapshots-past-end":
                BinaryPrimitives.WriteUInt32BigEndian(span[60..], 3);
                BinaryPrimitives.WriteUInt64BigEndian(span[64..], (ulong)(file.Length + s.ClusterSize) / (ulong)s.ClusterSize * (ulong)s.ClusterSize);
                break;
            case "header-length-huge":
                if (s.Header.Version == 2)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(span[4..], 7);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32BigEndian(span[100..], 1u << 30);
                }

                break;
            case "extension-length-huge":
                BinaryPrimitives.WriteUInt32BigEndian(span[s.Header.HeaderLength..], Qcow2Constants.ExtensionFeatureNameTable);
                BinaryPrimitives.WriteUInt32BigEndian(span[(s.Header.HeaderLength + 4)..], uint.MaxValue - 3);
                break;
            case "refcount-order-7":
                if (s.Header.Version == 2)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(span[4..], 1);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32BigEndian(span[96..], 7);
                }

                break;
        }

        var result = await ExerciseAsync(file);
        Assert.Equal(Outcome.Refused, result.Reader);
        Assert.True(result.CheckError is not null || result.CheckCorruptions > 0, "the checker found nothing wrong");
    }

    public static TheoryData<string> Images()
    {
        var data = new TheoryData<string>();
        foreach (var image in Qcow2HostileFixture.BaseImages)
        {
            data.Add(image);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Images))]
    public async Task UnsafeFeaturesAreRefusedAsUnsafe(string image)
    {
        var original = fixture.Bytes(image);
        var header = new Qcow2Surgery(fixture.Path(image)).Header;
        var cases = new List<(string Name, byte[] File)>
        {
            ("backing file", With(original, f => { BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan(8), 512); BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(16), 10); })),
            ("aes encryption", With(original, f => BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(32), 1))),
            ("luks encryption", With(original, f => BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(32), 2))),
        };
        if (header.Version == 3)
        {
            cases.Add(("data file bit", With(original, f => f[79] |= 1 << 2)));
            cases.Add(("unknown incompatible bit", With(original, f => f[79] |= 1 << 6)));
            cases.Add(("high incompatible bit", With(original, f => f[72] |= 0x80)));
            cases.Add(("raw external data", With(original, f => f[95] |= 1 << 1)));
            cases.Add(("data file extension", With(original, f => AddExtension(f, header.HeaderLength, Qcow2Constants.ExtensionExternalDataFile, "/etc/passwd"u8.ToArray()))));
            cases.Add(("encryption extension", With(original, f => AddExtension(f, header.HeaderLength, Qcow2Constants.ExtensionFullDiskEncryption, new byte[16]))));
        }

        foreach (var (name, file) in cases)
        {
            var e = await Assert.ThrowsAsync<ImageFormatException>(async () => await Qcow2Open.BytesAsync(file));
            Assert.True(e.Kind == ImageErrorKind.Unsafe, $"{name}: {e.Kind} {e.Message}");
            using var source = new MemoryByteSource(file);
            var checkError = await Assert.ThrowsAsync<ImageFormatException>(async () => await Qcow2Checker.CheckAsync(source, CancellationToken.None));
            Assert.Equal(ImageErrorKind.Unsafe, checkError.Kind);
        }
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(4u)]
    [InlineData(0xffffffffu)]
    public async Task OtherVersionsAreRefused(uint version)
    {
        var file = fixture.Bytes("v3-64k");
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(4), version);
        var e = await Assert.ThrowsAsync<ImageFormatException>(async () => await Qcow2Open.BytesAsync(file));
        Assert.Equal(ImageErrorKind.UnsupportedFormat, e.Kind);
    }

    public static TheoryData<string, string> MappingCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var image in Qcow2HostileFixture.BaseImages)
        {
            foreach (var c in new[]
            {
                "l2-past-end", "l2-into-l1", "l2-into-refcount-table", "l2-unaligned", "l2-self-cycle", "all-l1-same-l2",
                "data-past-end", "data-into-l1", "data-into-l2", "data-unaligned", "data-into-header-bits",
            })
            {
                data.Add(image, c);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MappingCases))]
    public async Task BadMappingsAreRefused(string image, string damage)
    {
        var file = fixture.Bytes(image);
        var s = new Qcow2Surgery(fixture.Path(image));
        var cs = s.ClusterSize;
        var l1Entry = s.L1EntryOffset(0);
        var l2 = s.L2TableOffset(0);
        var (dataAt, _) = s.DataEntries().Concat(s.CompressedEntries()).First();
        var copied = 1UL << 63;
        if (cs == 512 && damage is "l2-unaligned" or "data-unaligned" or "data-into-header-bits")
        {
            return; // every multiple of 512 is aligned with 512-byte clusters, and 512 is cluster 1, not the header
        }

        if (damage == "all-l1-same-l2" && s.Header.L1Size < 2)
        {
            return; // one L1 entry: nothing to alias
        }

        switch (damage)
        {
            case "l2-past-end": Put(file, l1Entry, copied | (ulong)((file.Length / cs + 10L) * cs)); break;
            case "l2-into-l1": Put(file, l1Entry, copied | (ulong)s.Header.L1TableOffset); break;
            case "l2-into-refcount-table": Put(file, l1Entry, copied | (ulong)s.Header.RefcountTableOffset); break;
            case "l2-unaligned": Put(file, l1Entry, copied | (ulong)(l2 + (cs > 512 ? 512 : 0) + (cs > 512 ? 0 : 1))); break;
            case "l2-self-cycle": Put(file, dataAt, copied | (ulong)l2); if (s.Header.ExtendedL2) { Put(file, dataAt + 8, 0xffffffff); } break;
            case "all-l1-same-l2":
                for (var i = 0; i < s.Header.L1Size; i++)
                {
                    Put(file, s.L1EntryOffset(i), copied | (ulong)l2);
                }

                break;
            case "data-past-end": Put(file, dataAt, copied | (ulong)((file.Length / cs + 10L) * cs)); if (s.Header.ExtendedL2) { Put(file, dataAt + 8, 0xffffffff); } break;
            case "data-into-l1": Put(file, dataAt, copied | (ulong)s.Header.L1TableOffset); if (s.Header.ExtendedL2) { Put(file, dataAt + 8, 0xffffffff); } break;
            case "data-into-l2": Put(file, dataAt, copied | (ulong)l2); if (s.Header.ExtendedL2) { Put(file, dataAt + 8, 0xffffffff); } break;
            case "data-unaligned": Put(file, dataAt, copied | (ulong)(l2 + cs + (cs > 512 ? 512 : 0)) | (cs > 512 ? 0UL : 2UL)); if (s.Header.ExtendedL2) { Put(file, dataAt + 8, 0xffffffff); } break;
            case "data-into-header-bits": Put(file, dataAt, copied | (1UL << 9)); if (s.Header.ExtendedL2) { Put(file, dataAt + 8, 0xffffffff); } break;
        }

        var result = await ExerciseAsync(file);
        if (damage == "all-l1-same-l2")
        {
            // Sharing one L2 table is legal for a reader (qemu reads it too); only the checker must object.
            Assert.True(result.CheckCorruptions > 0 || result.CheckError is not null, "the checker found nothing wrong");
            return;
        }

        Assert.Equal(Outcome.Refused, result.Reader);
        Assert.True(result.CheckCorruptions > 0 || result.CheckError is not null, "the checker found nothing wrong");
    }

    [Theory]
    [MemberData(nameof(Images))]
    public async Task TwoEntriesMappingOneHostClusterAreCorruptionForTheChecker(string image)
    {
        var file = fixture.Bytes(image);
        var s = new Qcow2Surgery(fixture.Path(image));
        var entries = s.DataEntries().Concat(s.CompressedEntries()).Take(2).ToList();
        Put(file, entries[1].EntryOffset, entries[0].Entry);
        if (s.Header.ExtendedL2)
        {
            Put(file, entries[1].EntryOffset + 8, s.ReadU64(entries[0].EntryOffset + 8));
        }

        var result = await ExerciseAsync(file);
        Assert.True(result.CheckCorruptions > 0, "the checker must count the shared cluster");
    }

    [Theory]
    [MemberData(nameof(Images))]
    public async Task InvalidEntryBitsAreRefused(string image)
    {
        var file = fixture.Bytes(image);
        var s = new Qcow2Surgery(fixture.Path(image));
        var (at, entry) = s.DataEntries().First();
        if (s.Header.ExtendedL2)
        {
            // A subcluster both allocated and reading as zero.
            Put(file, at + 8, 0x0000000100000001UL);
        }
        else if (s.Header.Version == 2)
        {
            // Zero clusters do not exist in v2.
            Put(file, at, entry | 1);
        }
        else
        {
            return;
        }

        var result = await ExerciseAsync(file);
        Assert.Equal(Outcome.Refused, result.Reader);
    }

    public static TheoryData<string, string> CompressedCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var image in new[] { "zlib", "zstd" })
        {
            foreach (var c in new[] { "past-end", "into-header", "garbage", "truncated-stream", "bomb", "window-bomb", "max-sectors" })
            {
                data.Add(image, c);
            }
        }

        return data;
    }

    /// <summary>
    /// Bad compressed clusters. Where qemu-img can still convert the file (a deflate stream that runs on past
    /// one cluster: qemu stops after a cluster), we must return the same bytes; otherwise both refuse.
    /// </summary>
    [Theory]
    [MemberData(nameof(CompressedCases))]
    public async Task BadCompressedClustersMatchQemuOrAreRefused(string image, string damage)
    {
        var file = fixture.Bytes(image);
        var s = new Qcow2Surgery(fixture.Path(image));
        var cs = s.ClusterSize;
        var shift = 62 - (s.Header.ClusterBits - 8);
        var (at, entry) = s.CompressedEntries().First();
        var coffset = (long)(entry & ((1UL << shift) - 1));
        var compressedFlag = 1UL << 62;
        switch (damage)
        {
            case "past-end": Put(file, at, compressedFlag | (ulong)(file.Length + 4096L)); break;
            case "into-header": Put(file, at, compressedFlag | 16); break;
            case "garbage":
                new Random(3).NextBytes(file.AsSpan((int)coffset, 300));
                break;
            case "truncated-stream":
                Put(file, at, compressedFlag | (ulong)coffset);
                file.AsSpan((int)coffset + 40, 512 - (int)(coffset % 512) - 40).Clear();
                break;
            case "bomb":
            case "window-bomb":
            {
                // 64 MiB of zeros compressed into a few KiB, appended to the file and pointed at.
                var bomb = damage == "bomb" ? CompressBomb(image, 64 << 20, windowLog: null) : CompressBomb(image, 64 << 20, windowLog: 27);
                var offset = (file.Length + 511) / 512 * 512;
                Array.Resize(ref file, (int)offset + bomb.Length + 512);
                bomb.CopyTo(file, offset);
                var sectors = Math.Min((bomb.Length + 511) / 512 - 1, (2 * cs / 512) - 1);
                Put(file, at, compressedFlag | ((ulong)sectors << shift) | (ulong)(long)offset);
                break;
            }

            case "max-sectors": Put(file, at, compressedFlag | (((1UL << (s.Header.ClusterBits - 8)) - 1) << shift) | (ulong)coffset); break;
        }

        var result = await ExerciseAsync(file);
        var path = fixture.Directory.File($"{image}-{damage}.qcow2");
        await File.WriteAllBytesAsync(path, file);
        var raw = path + ".raw";
        var qemu = QemuImg.Run("convert", "-q", "-f", "qcow2", "-O", "raw", path, raw);
        if (qemu.ExitCode == 0 && result.Reader == Outcome.Read)
        {
            await using var ours = await Qcow2Open.BytesAsync(file);
            await DiskAssert.EqualsRawFileAsync(ours, raw);
        }
        else
        {
            Assert.Equal(Outcome.Refused, result.Reader);
            Assert.True(qemu.ExitCode != 0 || damage is "past-end" or "into-header",
                $"qemu-img converted the file but we refused it: {result.ReaderError?.Message}");
        }

        File.Delete(path);
        File.Delete(raw);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public async Task TruncationAnywhereIsRefusedOrRead(string image)
    {
        var original = fixture.Bytes(image);
        var s = new Qcow2Surgery(fixture.Path(image));
        var cuts = new SortedSet<long>();
        for (var i = 0; i <= 128; i += 4)
        {
            cuts.Add(i);
        }

        foreach (var at in new[] { s.Header.L1TableOffset, s.Header.RefcountTableOffset, s.L2TableOffset(0) })
        {
            cuts.Add(at);
            cuts.Add(at + 4);
            cuts.Add(at + 513);
        }

        for (var k = 1; k < 12; k++)
        {
            cuts.Add(original.Length * k / 12);
        }

        cuts.Add(original.Length - 1);
        foreach (var cut in cuts.Where(c => c < original.Length))
        {
            var result = await ExerciseAsync(original.AsSpan(0, (int)cut).ToArray());
            if (cut < 104)
            {
                Assert.Equal(Outcome.Refused, result.Reader);
            }
        }
    }

    [Fact]
    public async Task HeaderFieldsSetToExtremesNeverEscape()
    {
        var original = fixture.Bytes("v3-64k");
        for (var offset = 0; offset < 112; offset += 4)
        {
            foreach (var value in new[] { 0u, 1u, 0x7fffffffu, 0xffffffffu, 0x00010000u })
            {
                var file = (byte[])original.Clone();
                BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(offset), value);
                try
                {
                    await ExerciseAsync(file);
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"header offset {offset} = 0x{value:x}: {e.Message}", e);
                }
            }
        }
    }

    private async Task<Result> ExerciseAsync(byte[] file)
    {
        var work = Task.Run(async () =>
        {
            GC.Collect();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var outcome = Outcome.Read;
            ImageFormatException? readerError = null;
            try
            {
                await using var image = await Qcow2Open.BytesAsync(file);
                var end = Math.Min(image.VirtualSize, ReadLimit);
                for (long offset = 0, n = 0; offset < end && n < 100_000; n++)
                {
                    offset = (await image.GetExtentAsync(offset, end - offset)).End;
                }

                var buffer = new byte[1 << 20];
                for (long offset = 0; offset < end; offset += buffer.Length)
                {
                    await image.ReadAsync(offset, buffer.AsMemory(0, (int)Math.Min(buffer.Length, end - offset)));
                }
            }
            catch (ImageFormatException e)
            {
                outcome = Outcome.Refused;
                readerError = e;
            }

            long corruptions = 0;
            ImageFormatException? checkError = null;
            try
            {
                using var source = new MemoryByteSource(file);
                corruptions = (await Qcow2Checker.CheckAsync(source, CancellationToken.None)).Corruptions;
            }
            catch (ImageFormatException e)
            {
                checkError = e;
            }

            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes");
            return new Result(outcome, readerError, corruptions, checkError);
        });

        // A guard against hangs, not a performance assertion.
        return await work.WaitAsync(TimeSpan.FromMinutes(2));
    }

    private static void Put(byte[] file, long offset, ulong value) => BinaryPrimitives.WriteUInt64BigEndian(file.AsSpan((int)offset), value);

    private static byte[] With(byte[] original, Action<byte[]> change)
    {
        var copy = (byte[])original.Clone();
        change(copy);
        return copy;
    }

    private static void AddExtension(byte[] file, int headerLength, uint type, byte[] data)
    {
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(headerLength), type);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(headerLength + 4), (uint)data.Length);
        data.CopyTo(file, headerLength + 8);
        var next = headerLength + 8 + ((data.Length + 7) & ~7);
        file.AsSpan(next, 8).Clear();
    }

    private static byte[] CompressBomb(string image, int size, int? windowLog)
    {
        var zeros = new byte[size];
        if (image == "zstd")
        {
            using var compressor = new Compressor(19);
            if (windowLog is { } w)
            {
                compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_windowLog, w);
            }

            return compressor.Wrap(zeros).ToArray();
        }

        using var output = new MemoryStream();
        using (var deflate = new System.IO.Compression.DeflateStream(output, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(zeros);
        }

        return output.ToArray();
    }
}
