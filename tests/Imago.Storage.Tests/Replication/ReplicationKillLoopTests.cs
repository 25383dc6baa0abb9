using System.Diagnostics;
using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.Replication;

/// <summary>
/// Kills <c>imago store replicate</c> (a child process) at random points of a copy, again and again: the
/// destination must never show the snapshot half-copied, nothing it holds may be damaged, and the run that
/// finally completes reads back identical and skips what earlier runs delivered.
/// </summary>
[Collection(Imago.Storage.Tests.KillLoop.KillLoopCollection.Name)]
public sealed class ReplicationKillLoopTests
{
    private const int Chunk = 64 * 1024;
    // 1024 data chunks and a page. The destination publishes received chunks in batches
    // (LocalChunkTransport.PublishEvery), so the chunk count seen from outside grows in steps: the disk must be
    // large enough that a kill aimed a few batches in lands before the copy ends.
    private const int DiskSize = 64 << 20;
    private const int Kills = 6;

    [Fact]
    public async Task Killing_a_replication_anywhere_leaves_no_partial_snapshot_and_the_rerun_completes()
    {
        using var temp = new TempDirectory();
        var source = temp.File("region-a");
        var destination = temp.File("region-b");
        await using (var a = await BlockStore.OpenAsync(source, new BlockStoreOptions { ChunkSize = Chunk }))
        {
            await a.CreateVolumeAsync("vol", DiskSize);
            await using (var volume = await a.OpenVolumeAsync("vol"))
            {
                await volume.WriteAsync(0, Patterns.Random(DiskSize, 11));
            }

            await a.SnapshotAsync("vol", "s");
        }

        var random = new Random(20261127);
        var killedMidway = 0;
        var endedOnTheirOwn = new List<string>();
        for (var i = 0; i < Kills; i++)
        {
            var before = CountChunks(destination);
            var target = before + random.Next(5, 60); // kill once this many more chunks have landed
            using var child = StartReplication(source, destination);
            var ended = await WaitForChunksAsync(child, destination, target);
            if (!ended)
            {
                child.Kill(entireProcessTree: true);
                killedMidway++;
            }

            await child.WaitForExitAsync();
            if (ended)
            {
                endedOnTheirOwn.Add($"exit {child.ExitCode} with {CountChunks(destination)} chunks (aimed at {target}): {(await child.StandardError.ReadToEndAsync()).Trim()}");
            }
            await AssertNoPartialSnapshotAsync(source, destination);
        }

        // At least two kills must land mid-copy for the loop to mean anything. More is usual, but a starved poller
        // on a loaded machine can miss a whole copy (it then completes, and later runs find it already there).
        Assert.True(killedMidway >= 2, $"only {killedMidway} of {Kills} runs were killed mid-copy; the others ended: {string.Join(" | ", endedOnTheirOwn)}");
        var delivered = CountChunks(destination);
        using (var last = StartReplication(source, destination))
        {
            var output = await last.StandardOutput.ReadToEndAsync();
            await last.WaitForExitAsync();
            Assert.Equal(0, last.ExitCode);
            Assert.Matches(@"replicated snapshot 's'|already at the destination", output);
            if (output.Contains("replicated", StringComparison.Ordinal) && delivered > 0)
            {
                Assert.Contains($"{delivered} already there", output, StringComparison.Ordinal);
            }
        }

        await AssertNoPartialSnapshotAsync(source, destination);
        await using var b = await BlockStore.OpenAsync(destination);
        Assert.True(b.SnapshotExists("s"));
    }

    /// <summary>Either no snapshot, or one identical to the source; and everything present is intact.</summary>
    private static async Task AssertNoPartialSnapshotAsync(string source, string destination)
    {
        if (!File.Exists(Path.Combine(destination, "store.json")))
        {
            return; // killed before the destination store was even created
        }

        await using var b = await BlockStore.OpenAsync(destination);
        var scrub = await b.ScrubAsync();
        Assert.True(scrub.IsClean, string.Join("; ", scrub.Corrupt.Concat(scrub.Missing).Select(p => p.Problem)));
        if (!b.SnapshotExists("s"))
        {
            Assert.Empty(b.ListSnapshots());
            return;
        }

        await using var a = await BlockStore.OpenAsync(source);
        await using var left = await a.OpenSnapshotAsync("s");
        await using var right = await b.OpenSnapshotAsync("s");
        Assert.Equal(Patterns.Digest(await Patterns.ReadAllAsync(left)), Patterns.Digest(await Patterns.ReadAllAsync(right)));
    }

    /// <summary>Waits until <paramref name="target"/> chunks are at the destination (false) or the child ended (true).</summary>
    private static async Task<bool> WaitForChunksAsync(Process child, string destination, int target)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!child.HasExited)
        {
            if (CountChunks(destination) >= target)
            {
                return false;
            }

            await Task.Delay(2, timeout.Token);
        }

        return true;
    }

    private static int CountChunks(string store)
    {
        var chunks = Path.Combine(store, "chunks");
        try
        {
            return Directory.Exists(chunks) ? Directory.EnumerateFiles(chunks, "*", SearchOption.AllDirectories).Count() : 0;
        }
        catch (DirectoryNotFoundException)
        {
            return 0; // a fan-out directory appeared or vanished while listing: count again next time
        }
    }

    private static Process StartReplication(string source, string destination)
    {
        var imago = typeof(Imago.Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", ["exec", imago, "store", "--data", source, "replicate", "--to", destination, "s"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return Process.Start(start) ?? throw new InvalidOperationException("cannot start imago");
    }
}
