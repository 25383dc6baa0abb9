using Imago.Formats.IO;

namespace Imago.Formats.Tests.Hostile;

/// <summary>
/// Drives an input through the whole engine the way the service does (inspect, open, map, read) or through one
/// parser, and classifies the outcome: success, a refusal (<see cref="ImageFormatException"/>), or a crash
/// (anything else, a defect hidden behind a refusal, a map that does not advance, or a hang).
/// </summary>
public static class Pipeline
{
    /// <summary>Above this virtual size only the start, the end and the mapped data are read.</summary>
    public const long FullReadLimit = 64L * 1024 * 1024;

    private const int ReadChunk = 256 * 1024;
    private const long MaxExtents = 1 << 20;
    private static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(2);

    /// <summary>DiskImages.OpenAsync, then every extent and every byte (bounded as described above).</summary>
    public static async Task OpenMapAndReadAllAsync(byte[] data, ImageFormat? declared, CancellationToken cancellationToken = default)
    {
        var image = await DiskImages.OpenAsync(new MemoryByteSource(data), declared, cancellationToken);
        await using (image)
        {
            await MapAllAsync(image, cancellationToken);
            await ReadAllAsync(image, cancellationToken);
        }
    }

    /// <summary>DiskImages.CheckAsync on the input, detected by content or as <paramref name="declared"/>.</summary>
    public static Task CheckAsync(byte[] data, CancellationToken cancellationToken = default) =>
        CheckAsync(data, null, cancellationToken);

    public static async Task CheckAsync(byte[] data, ImageFormat? declared, CancellationToken cancellationToken = default)
    {
        using var source = new MemoryByteSource(data);
        await DiskImages.CheckAsync(source, declared, cancellationToken);
    }

    /// <summary>Runs <paramref name="action"/>; returns null on success or refusal, otherwise what went wrong.</summary>
    public static async Task<string?> CrashOfAsync(Func<CancellationToken, Task> action)
    {
        using var cts = new CancellationTokenSource();
        try
        {
            // Task.Run: with in-memory sources everything completes synchronously, so only a pool thread can be timed out.
            await Task.Run(() => action(cts.Token), cts.Token).WaitAsync(HangLimit);
            return null;
        }
        catch (ImageFormatException ex)
        {
            return Outcome.DescribeBadRefusal(ex);
        }
        catch (TimeoutException)
        {
            await cts.CancelAsync();
            return $"no outcome within {HangLimit.TotalMinutes} minutes (hang)";
        }
        catch (Exception ex)
        {
            return $"{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")} at {ex.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}";
        }
    }

    private static async Task MapAllAsync(IDiskImage image, CancellationToken cancellationToken)
    {
        long offset = 0;
        long count = 0;
        while (offset < image.VirtualSize && count++ < MaxExtents)
        {
            var extent = await image.GetExtentAsync(offset, image.VirtualSize - offset, cancellationToken);
            if (extent.Offset != offset || extent.Length <= 0 || extent.End > image.VirtualSize)
            {
                throw new InvalidOperationException(
                    $"GetExtentAsync({offset}) returned [{extent.Offset}, +{extent.Length}) on a {image.VirtualSize}-byte disk");
            }

            offset = extent.End;
        }
    }

    private static async Task ReadAllAsync(IDiskImage image, CancellationToken cancellationToken)
    {
        var buffer = new byte[ReadChunk];
        var size = image.VirtualSize;
        if (size <= FullReadLimit)
        {
            await ReadRangeAsync(image, 0, size, buffer, cancellationToken);
            return;
        }

        await ReadRangeAsync(image, 0, FullReadLimit / 2, buffer, cancellationToken);
        await ReadRangeAsync(image, size - (FullReadLimit / 2), FullReadLimit / 2, buffer, cancellationToken);
        long offset = 0;
        long budget = FullReadLimit;
        while (offset < size && budget > 0)
        {
            var extent = await image.GetExtentAsync(offset, size - offset, cancellationToken);
            if (extent.Data)
            {
                var n = Math.Min(extent.Length, budget);
                await ReadRangeAsync(image, offset, n, buffer, cancellationToken);
                budget -= n;
            }

            offset = extent.End;
        }
    }

    private static async Task ReadRangeAsync(IDiskImage image, long start, long length, byte[] buffer, CancellationToken cancellationToken)
    {
        for (var offset = start; offset < start + length; offset += buffer.Length)
        {
            var n = (int)Math.Min(buffer.Length, start + length - offset);
            await image.ReadAsync(offset, buffer.AsMemory(0, n), cancellationToken);
        }
    }
}
