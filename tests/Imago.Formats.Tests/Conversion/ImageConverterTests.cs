using Imago.Formats.Conversion;
using Imago.Formats.IO;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Conversion;

public sealed class ImageConverterTests
{
    [Fact]
    public async Task Raw_to_raw_with_scattered_data_equals_the_source()
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        var target = dir.File("dst.raw");
        SparseRawImage.Create(source, 48 << 20, runs: 40, runLength: 100_000, seed: 10);

        await using (var image = await DiskImages.OpenAsync(source, ImageFormat.Raw))
        {
            // Small chunks and deep read-ahead exercise ordering across many reads in flight.
            await ImageConverter.ConvertToFileAsync(image, target, ImageFormat.Raw,
                options: new ConvertOptions { ChunkSize = 64 << 10, ReadAhead = 8 });
        }

        Assert.True(QemuImg.Compare(source, "raw", target, "raw"));
        await using var written = await DiskImages.OpenAsync(target, ImageFormat.Raw);
        await DiskAssert.EqualsRawFileAsync(written, source);
    }

    [Fact]
    public async Task Holes_are_never_read()
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        SparseRawImage.Create(source, 32 << 20, runs: 3, runLength: 8192, seed: 11);
        var holes = new List<DiskExtent>();

        await using var image = new RecordingDiskImage(await DiskImages.OpenAsync(source, ImageFormat.Raw));
        await foreach (var extent in ImageMapper.MapAsync(image))
        {
            if (extent.Zero)
            {
                holes.Add(extent);
            }
        }

        var writer = await DiskImages.CreateAsync(dir.File("dst.raw"), ImageFormat.Raw, image.VirtualSize);
        await using (writer)
        {
            await ImageConverter.ConvertAsync(image, writer);
        }

        Assert.NotEmpty(holes);
        Assert.True(image.Reads.Sum(r => (long)r.Length) <= 3 * 8192 + 6 * 4096, "the converter read more than the data runs");
        foreach (var (offset, length) in image.Reads)
        {
            Assert.DoesNotContain(holes, h => h.Offset <= offset && offset + length <= h.End);
        }
    }

    [Fact]
    public async Task Reads_run_in_parallel_within_the_buffer_bound_and_writes_stay_in_order()
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        SparseRawImage.Create(source, 16 << 20, runs: 0, runLength: 0, seed: 0);
        var data = new byte[12 << 20];
        new Random(15).NextBytes(data);
        SparseRawImage.WriteAt(source, 2 << 20, data);

        await using var image = new RecordingDiskImage(await DiskImages.OpenAsync(source, ImageFormat.Raw), slowAndShuffled: true);
        var writer = new OrderCheckingWriter(await DiskImages.CreateAsync(dir.File("dst.raw"), ImageFormat.Raw, image.VirtualSize));
        await using (writer)
        {
            await ImageConverter.ConvertAsync(image, writer, options: new ConvertOptions { ChunkSize = 128 << 10, ReadAhead = 6 });
        }

        Assert.InRange(image.MaxInFlight, 2, 6);
        Assert.Equal(12 << 20, writer.BytesWritten);
        Assert.True(QemuImg.Compare(source, "raw", dir.File("dst.raw"), "raw"));
    }

    [Fact]
    public async Task Progress_rises_monotonically_to_the_virtual_size()
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        SparseRawImage.Create(source, 24 << 20, runs: 30, runLength: 50_000, seed: 12);
        var reports = new List<ConvertProgress>();

        await using (var image = await DiskImages.OpenAsync(source, ImageFormat.Raw))
        {
            await ImageConverter.ConvertToFileAsync(image, dir.File("dst.raw"), ImageFormat.Raw,
                progress: new SynchronousProgress(reports.Add), options: new ConvertOptions { ChunkSize = 256 << 10 });
        }

        Assert.True(reports.Count > 3);
        Assert.All(reports.Zip(reports.Skip(1)), pair => Assert.True(pair.First.BytesProcessed <= pair.Second.BytesProcessed));
        Assert.Equal(new ConvertProgress(24 << 20, 24 << 20), reports[^1]);
        Assert.Equal(100.0, reports[^1].Percent);
    }

    [Fact]
    public async Task Cancelling_leaves_no_destination_and_no_temporary_file()
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        var target = dir.File("dst.raw");
        SparseRawImage.Create(source, 32 << 20, runs: 64, runLength: 256 << 10, seed: 13);
        using var cts = new CancellationTokenSource();

        await using (var image = await DiskImages.OpenAsync(source, ImageFormat.Raw))
        {
            var progress = new SynchronousProgress(p =>
            {
                if (p.BytesProcessed > 0)
                {
                    cts.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ImageConverter.ConvertToFileAsync(
                image, target, ImageFormat.Raw, progress: progress,
                options: new ConvertOptions { ChunkSize = 64 << 10 }, cancellationToken: cts.Token));
        }

        Assert.Equal(["src.raw"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_read_failure_leaves_no_destination_and_keeps_the_old_one()
    {
        using var dir = new TempDirectory();
        var source = dir.File("src.raw");
        var target = dir.File("dst.raw");
        SparseRawImage.Create(source, 16 << 20, runs: 40, runLength: 64 << 10, seed: 14);
        await File.WriteAllTextAsync(target, "previous content");

        await using (var image = new RecordingDiskImage(await DiskImages.OpenAsync(source, ImageFormat.Raw), failAtOrAfter: 8 << 20))
        {
            var error = await Assert.ThrowsAsync<ImageFormatException>(() => ImageConverter.ConvertToFileAsync(
                image, target, ImageFormat.Raw, options: new ConvertOptions { ChunkSize = 64 << 10 }));
            Assert.Contains("injected failure", error.Message);
        }

        Assert.Equal("previous content", await File.ReadAllTextAsync(target));
        Assert.Equal(2, Directory.GetFiles(dir.Path).Length);
    }

    [Fact]
    public void Zero_units_are_found_at_absolute_alignment()
    {
        var touching = new byte[10_000];
        touching[5000] = 1; // unit [4096, 8192)
        touching[9999] = 1; // unit [8192, 12288), cut at the end of the buffer
        Assert.Equal([(4096, 10_000 - 4096)], NonZeroRuns.FindAll(touching, 0, 4096));

        var apart = new byte[10_000];
        apart[10] = 1;
        apart[9000] = 1;
        Assert.Equal([(0, 4096), (8192, 10_000 - 8192)], NonZeroRuns.FindAll(apart, 0, 4096));

        // From offset 1000 the unit boundaries fall at buffer positions 3096 and 7192.
        Assert.Equal([(0, 3096), (7192, 10_000 - 7192)], NonZeroRuns.FindAll(apart, 1000, 4096));
    }

    /// <summary>Fails the test if the converter ever writes out of order.</summary>
    private sealed class OrderCheckingWriter(IDiskImageWriter inner) : IDiskImageWriter
    {
        private long _end;

        public long BytesWritten { get; private set; }

        public ImageFormat Format => inner.Format;

        public long VirtualSize => inner.VirtualSize;

        public int Granularity => inner.Granularity;

        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            Assert.True(offset >= _end, $"write at {offset} after a write ending at {_end}");
            _end = offset + data.Length;
            BytesWritten += data.Length;
            return inner.WriteAsync(offset, data, cancellationToken);
        }

        public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => inner.CompleteAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<ConvertProgress> report) : IProgress<ConvertProgress>
    {
        public void Report(ConvertProgress value) => report(value);
    }
}
