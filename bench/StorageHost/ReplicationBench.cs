using System.Diagnostics;
using System.Globalization;
using Imago.Storage;
using Imago.Storage.Replication;

namespace Imago.Bench.StorageHost;

/// <summary>
/// Region A holds a snapshot already replicated to region B; a clone of it with 1% of its blocks rewritten is
/// snapshotted and replicated: bytes sent against the disk size (target: at most 2%).
/// </summary>
internal static class ReplicationBench
{
    public static async Task RunAsync(string directory, long diskSize)
    {
        await using var a = await BlockStore.OpenAsync(Path.Combine(directory, "region-a"));
        await using var b = await BlockStore.OpenAsync(Path.Combine(directory, "region-b"));
        await a.CreateVolumeAsync("vol", diskSize);
        await using (var volume = await a.OpenVolumeAsync("vol"))
        {
            await VolumeFiller.FillAsync(volume, diskSize, a.ChunkSize, seed: 3);
        }

        await a.SnapshotAsync("vol", "base");
        var full = Stopwatch.StartNew();
        var first = await SnapshotReplicator.ReplicateAsync(a, "base", b);
        full.Stop();

        await a.CreateVolumeFromSnapshotAsync("base", "clone");
        var blocks = diskSize / a.ChunkSize;
        var changed = Math.Max(1, blocks / 100);
        await using (var clone = await a.OpenVolumeAsync("clone"))
        {
            var random = new Random(4);
            var data = new byte[4096];
            foreach (var block in Enumerable.Range(0, (int)blocks).OrderBy(_ => random.Next()).Take((int)changed))
            {
                random.NextBytes(data);
                await clone.WriteAsync((long)block * a.ChunkSize, data);
            }
        }

        await a.SnapshotAsync("clone", "next");
        var delta = Stopwatch.StartNew();
        var second = await SnapshotReplicator.ReplicateAsync(a, "next", b);
        delta.Stop();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| first copy of a {diskSize >> 20} MiB snapshot | {first.BytesSent} | {100.0 * first.BytesSent / diskSize:F2}% | {first.ChunksSent} sent, {first.ChunksSkipped} skipped | {full.Elapsed.TotalSeconds:F2} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| snapshot differing in {changed} of {blocks} blocks (1%) | {second.BytesSent} | {100.0 * second.BytesSent / diskSize:F2}% | {second.ChunksSent} sent, {second.ChunksSkipped} skipped | {delta.Elapsed.TotalSeconds:F2} |"));
    }
}
