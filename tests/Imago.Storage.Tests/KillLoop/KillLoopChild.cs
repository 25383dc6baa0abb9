using System.Text;
using Imago.Formats;
using Imago.Formats.IO;
using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.KillLoop;

/// <summary>
/// The process the kill-loop test kills: imports, writes, snapshots, clones, deletes and collects garbage on
/// a store until it is killed. After each snapshot is committed it appends "S id sha256" to a log and
/// fsyncs it, so the test knows what must survive; "D id" is logged (and fsynced) before a deletion.
/// </summary>
internal static class KillLoopChild
{
    public const int ChunkSize = 64 * 1024;
    public const int Fanout = 4;
    public const int VolumeSize = 2 << 20;
    public const string VolumeId = "vol";

    public static BlockStoreOptions Options => new() { ChunkSize = ChunkSize, PageFanout = Fanout };

    public static async Task<int> RunAsync(string storePath, string logPath, int seed)
    {
        var random = new Random(seed);
        await using var store = await BlockStore.OpenAsync(storePath, Options);
        await using var log = new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.Read);
        if (!store.VolumeExists(VolumeId))
        {
            await store.CreateVolumeAsync(VolumeId, VolumeSize);
        }

        var volume = await store.OpenVolumeAsync(VolumeId);
        var model = await Patterns.ReadAllAsync(volume); // whatever the last commit before the previous kill left
        for (var step = 0; step < 10_000; step++)
        {
            var name = $"{seed}-{step}";
            switch (random.Next(10))
            {
                case < 5:
                    for (var n = random.Next(1, 5); n > 0; n--)
                    {
                        var offset = random.Next(VolumeSize);
                        var length = Math.Min(random.Next(1, 200_000), VolumeSize - offset);
                        if (random.Next(4) == 0)
                        {
                            await volume.WriteZeroesAsync(offset, length);
                            Array.Clear(model, offset, length);
                        }
                        else
                        {
                            var data = Patterns.Random(length, random.Next());
                            await volume.WriteAsync(offset, data);
                            data.CopyTo(model, offset);
                        }
                    }

                    await store.SnapshotAsync(VolumeId, "v-" + name);
                    await LogAsync(log, $"S v-{name} {Patterns.Digest(model)}");
                    break;
                case < 7:
                    var image = MakeImage(random);
                    await using (var source = await DiskImages.OpenAsync(new MemoryByteSource(image)))
                    {
                        await store.ImportAsync(source, "i-" + name);
                    }

                    await LogAsync(log, $"S i-{name} {Patterns.Digest(image)}");
                    break;
                case 7:
                    var snapshots = store.ListSnapshots();
                    if (snapshots.Count > 6)
                    {
                        var victim = snapshots[random.Next(snapshots.Count)];
                        await LogAsync(log, $"D {victim}");
                        await store.DeleteSnapshotAsync(victim);
                    }

                    break;
                case 8:
                    await store.CollectGarbageAsync();
                    break;
                default:
                    var all = store.ListSnapshots();
                    if (all.Count == 0)
                    {
                        break;
                    }

                    var from = all[random.Next(all.Count)];
                    await store.CreateVolumeFromSnapshotAsync(from, "c-" + name);
                    byte[] content;
                    await using (var clone = await store.OpenVolumeAsync("c-" + name))
                    {
                        var patch = Patterns.Random(random.Next(1, 100_000), random.Next());
                        var at = random.Next((int)clone.Size - patch.Length);
                        await clone.WriteAsync(at, patch);
                        content = await Patterns.ReadAllAsync(clone);
                    }

                    await store.SnapshotAsync("c-" + name, "k-" + name);
                    await LogAsync(log, $"S k-{name} {Patterns.Digest(content)}");
                    await store.DeleteVolumeAsync("c-" + name);
                    break;
            }
        }

        await volume.DisposeAsync();
        return 0;
    }

    /// <summary>A 1 MiB raw image: random chunks, zero chunks, and chunks repeated from a small set (deduplicated).</summary>
    private static byte[] MakeImage(Random random)
    {
        var image = new byte[1 << 20];
        for (var block = 0; block < image.Length / ChunkSize; block++)
        {
            var kind = random.Next(3);
            if (kind > 0)
            {
                Patterns.Random(ChunkSize, kind == 1 ? random.Next() : random.Next(4)).CopyTo(image, block * ChunkSize);
            }
        }

        return image;
    }

    private static async Task LogAsync(FileStream log, string line)
    {
        await log.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"));
        log.Flush(flushToDisk: true);
    }
}
