using System.Diagnostics;
using System.Globalization;
using Imago.Storage;

namespace Imago.Bench.StorageHost;

/// <summary>
/// Snapshot and clone cost against virtual size: a 1 GiB and a 1 TiB volume each get the same amount of data
/// written (and committed), then each is snapshotted and cloned several times; the medians should be flat.
/// A second pair of rows snapshots right after 4 MiB of new, uncommitted writes (the commit is part of the cost).
/// </summary>
internal static class SnapshotCloneBench
{
    private const int Repeats = 9;
    private const long DirtyBytes = 4 << 20;

    public static async Task RunAsync(string directory, long written)
    {
        await using var store = await BlockStore.OpenAsync(directory);
        var results = new List<(string Case, double Small, double Large)>();
        var cost = new Dictionary<long, (double Snapshot, double Clone, double Dirty)>();
        foreach (var (size, seed) in new[] { (1L << 30, 1), (1L << 40, 2) })
        {
            var id = $"v{size >> 30}g";
            await store.CreateVolumeAsync(id, size);
            var fill = Stopwatch.StartNew();
            await using (var volume = await store.OpenVolumeAsync(id))
            {
                await VolumeFiller.FillAsync(volume, written, store.ChunkSize, seed);
            }

            Console.Error.WriteLine($"bench: wrote {written >> 20} MiB into {id} in {fill.Elapsed.TotalSeconds:F1} s");
            var snapshots = new List<double>();
            var clones = new List<double>();
            var dirty = new List<double>();
            for (var i = 0; i < Repeats; i++)
            {
                snapshots.Add(await TimeAsync(() => store.SnapshotAsync(id, $"{id}-s{i}")));
                clones.Add(await TimeAsync(() => store.CreateVolumeFromSnapshotAsync($"{id}-s{i}", $"{id}-c{i}")));
            }

            await using (var volume = await store.OpenVolumeAsync(id))
            {
                var random = new Random(seed + 100);
                var data = new byte[DirtyBytes];
                for (var i = 0; i < Repeats; i++)
                {
                    random.NextBytes(data);
                    await volume.WriteAsync(random.NextInt64(size / DirtyBytes) * DirtyBytes, data);
                    dirty.Add(await TimeAsync(() => store.SnapshotAsync(id, $"{id}-d{i}")));
                }
            }

            cost[size] = (Median(snapshots), Median(clones), Median(dirty));
        }

        var (small, large) = (cost[1L << 30], cost[1L << 40]);
        Row("snapshot (committed volume)", small.Snapshot, large.Snapshot);
        Row("clone (volume from snapshot)", small.Clone, large.Clone);
        Row($"snapshot after {DirtyBytes >> 20} MiB of new writes", small.Dirty, large.Dirty);
    }

    private static void Row(string name, double small, double large) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {small:F2} | {large:F2} | {large / small:F2} |"));

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
