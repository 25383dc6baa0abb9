using Imago.Formats.Inspection;
using Imago.Formats.IO;

namespace Imago.Formats.Tests.Hostile;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "Memory measurement (not parallel)";
}

/// <summary>
/// Memory stays bounded whatever the input: each inspection allocates less than 8 MiB, measured with
/// GC.GetTotalAllocatedBytes in a collection that never runs alongside other tests.
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class MemoryBoundTests
{
    private const long Bound = 8L * 1024 * 1024;

    [Fact]
    public async Task Every_inspection_of_the_corpus_allocates_less_than_8_MiB()
    {
        var cases = HostileCorpus.All().ToList();
        var worst = (Name: "", Bytes: 0L);
        foreach (var c in cases)
        {
            using var source = new MemoryByteSource(c.Data);
            var before = GC.GetTotalAllocatedBytes(precise: true);
            try
            {
                await ImageInspector.InspectAsync(source, c.Declared);
            }
            catch (ImageFormatException)
            {
            }

            var used = GC.GetTotalAllocatedBytes(precise: true) - before;
            if (used > worst.Bytes)
            {
                worst = (c.ToString(), used);
            }
        }

        Assert.True(worst.Bytes < Bound, $"{worst.Name} allocated {worst.Bytes} bytes during inspection");
    }

    [Fact]
    public async Task Huge_declared_tables_do_not_drive_allocation()
    {
        // A qcow2 header claiming the largest tables qemu allows, in a file that really is large (sparse in memory
        // terms: a source that reports a big length and serves zeros), must be inspected within the bound.
        var header = HostileCorpus.Seed("qcow2-v3").Data.AsSpan(0, 65536).ToArray();
        ImageBytes.Be64(header, 24, 64UL << 40);           // 64 TiB virtual
        ImageBytes.Be32(header, 36, 4u << 20);             // 4 Mi L1 entries (32 MiB)
        ImageBytes.Be64(header, 40, 1UL << 30);
        ImageBytes.Be32(header, 56, 128);                  // 8 MiB refcount table
        ImageBytes.Be64(header, 48, 2UL << 30);
        using var source = new ZeroTailSource(header, 4L << 30);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await ImageInspector.InspectAsync(source);
        var used = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(ImageFormat.Qcow2, result.Format);
        Assert.True(used < Bound, $"allocated {used} bytes");
    }

    /// <summary>A large file: the given head, then zeros, without holding them in memory.</summary>
    private sealed class ZeroTailSource(byte[] head, long length) : IByteSource
    {
        public long Length => length;

        public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (offset >= length)
            {
                return ValueTask.FromResult(0);
            }

            var n = (int)Math.Min(buffer.Length, length - offset);
            buffer.Span[..n].Clear();
            if (offset < head.Length)
            {
                var m = (int)Math.Min(n, head.Length - offset);
                head.AsSpan((int)offset, m).CopyTo(buffer.Span);
            }

            return ValueTask.FromResult(n);
        }

        public void Dispose()
        {
        }
    }
}
