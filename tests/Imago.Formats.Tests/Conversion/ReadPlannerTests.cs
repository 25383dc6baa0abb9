using Imago.Formats.Conversion;

namespace Imago.Formats.Tests.Conversion;

public sealed class ReadPlannerTests
{
    /// <summary>A disk described only by its extent list; reads are never made.</summary>
    private sealed class ExtentListImage(long size, params DiskExtent[] extents) : IDiskImage
    {
        public ImageFormat Format => ImageFormat.Raw;

        public long VirtualSize => size;

        public ImageDetails Details => ImageDetails.None;

        public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the planner must not read");

        public ValueTask<DiskExtent> GetExtentAsync(long offset, long maxLength, CancellationToken cancellationToken = default)
        {
            var e = extents.Single(x => x.Offset <= offset && offset < x.End);
            return ValueTask.FromResult(e with { Offset = offset, Length = Math.Min(maxLength, e.End - offset) });
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static DiskExtent Data(long start, long end) => new(start, end - start, true, false, true);

    private static DiskExtent Zero(long start, long end) => new(start, end - start, true, true, false);

    [Theory]
    [InlineData(4096, 4096)]      // the shared unit is handed out whole before the second extent arrives
    [InlineData(4096, 1 << 20)]   // chunk much larger than the unit
    [InlineData(2 << 20, 2 << 20)] // 2 MiB units, as qcow2 cluster_size=2M or a VHD block
    public async Task Extents_that_share_a_unit_are_planned_once_in_increasing_order(int unit, int chunk)
    {
        var size = 8L * unit;
        var image = new ExtentListImage(size,
            Data(0, 100), Zero(100, 200), Data(200, unit + 10), Zero(unit + 10, unit + 20), Data(unit + 20, unit + 30),
            Zero(unit + 30, 5L * unit), Data(5L * unit, 5L * unit + 1), Zero(5L * unit + 1, size));

        var reads = new List<(long Offset, int Length)>();
        await foreach (var read in new ReadPlanner(image, unit, chunk).PlanAsync())
        {
            reads.Add(read);
        }

        long end = 0;
        foreach (var (offset, length) in reads)
        {
            Assert.True(offset >= end, $"read at {offset} overlaps data planned up to {end}");
            Assert.Equal(0, offset % unit);
            end = offset + length;
        }

        // Every data byte is covered, and nothing outside the three touched units is read.
        Assert.Equal(3L * unit, reads.Sum(r => (long)r.Length));
        Assert.Contains(reads, r => r.Offset <= 5L * unit && 5L * unit < r.Offset + r.Length);
    }
}
