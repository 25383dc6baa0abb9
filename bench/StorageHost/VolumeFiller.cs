using Imago.Storage;

namespace Imago.Bench.StorageHost;

/// <summary>Writes pseudo-random data into a volume through the store API, in whole chunks.</summary>
internal static class VolumeFiller
{
    /// <summary>
    /// Writes <paramref name="bytes"/> of random data as whole chunks spread evenly over the volume (so a huge
    /// volume has its data, and the pages naming it, scattered as a used disk would).
    /// </summary>
    public static async Task FillAsync(IBlockDevice volume, long bytes, int chunkSize, int seed)
    {
        var chunks = bytes / chunkSize;
        var slots = volume.Size / chunkSize;
        var stride = Math.Max(1, slots / chunks);
        var random = new Random(seed);
        var buffer = new byte[chunkSize];
        for (long i = 0; i < chunks; i++)
        {
            random.NextBytes(buffer);
            await volume.WriteAsync(i * stride * chunkSize, buffer);
        }

        await volume.FlushAsync();
    }
}
