using System.Diagnostics;
using System.Globalization;
using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Imago.Storage.Tests.KillLoop;

/// <summary>
/// Kills a child process that imports, writes, snapshots, clones, deletes and collects garbage, at random
/// instants, again and again; after each kill the store must hold every committed snapshot intact and
/// nothing may refer to a missing or damaged chunk.
/// </summary>
[Collection(KillLoopCollection.Name)]
public sealed class KillLoopTests(ITestOutputHelper output)
{
    private const int Iterations = 18;

    [Fact]
    public async Task Killing_the_writer_at_random_points_never_loses_or_damages_committed_data()
    {
        using var temp = new TempDirectory();
        var storePath = temp.File("store");
        var logPath = temp.File("committed.log");
        var random = new Random(20261127);
        var committed = 0;

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var stderr = temp.File($"child-{iteration}.err");
            using (var child = StartChild(storePath, logPath, iteration, stderr))
            {
                var exited = child.WaitForExit(TimeSpan.FromMilliseconds(random.Next(400, 2500)));
                Assert.False(exited, $"the child exited by itself ({(exited ? child.ExitCode : 0)}): {await ReadAsync(stderr)}");
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync();
            }

            committed = await VerifyAsync(storePath, logPath, collect: iteration % 3 == 2);
        }

        output.WriteLine($"{Iterations} kills, {committed} snapshots committed and verified");
        Assert.True(committed > Iterations / 2, $"only {committed} snapshots were committed: the child made too little progress");
    }

    /// <summary>Checks every invariant on the store as the killed child left it; returns the committed snapshot count.</summary>
    private static async Task<int> VerifyAsync(string storePath, string logPath, bool collect)
    {
        var (expected, deleting) = ReadLog(logPath);
        await using var store = await BlockStore.OpenAsync(storePath, KillLoopChild.Options);

        var scrub = await store.ScrubAsync();
        Assert.True(scrub.IsClean, "scrub after kill: " + string.Join("; ", scrub.Corrupt.Concat(scrub.Missing).Select(p => p.Problem)));

        if (collect)
        {
            await store.CollectGarbageAsync();
            var after = await store.ScrubAsync();
            Assert.True(after.IsClean, "scrub after GC: " + string.Join("; ", after.Corrupt.Concat(after.Missing).Select(p => p.Problem)));
        }

        var present = store.ListSnapshots().ToHashSet();
        foreach (var (id, digest) in expected)
        {
            if (!present.Contains(id))
            {
                Assert.True(deleting.Contains(id), $"committed snapshot {id} is gone");
                continue;
            }

            await using var snapshot = await store.OpenSnapshotAsync(id);
            Assert.Equal(digest, Patterns.Digest(await Patterns.ReadAllAsync(snapshot)));
        }

        // Versions committed but not yet logged when the kill came, and the volume itself, must read without error.
        foreach (var id in present.Where(id => !expected.ContainsKey(id)))
        {
            await using var snapshot = await store.OpenSnapshotAsync(id);
            await Patterns.ReadAllAsync(snapshot);
        }

        foreach (var id in store.ListVolumes())
        {
            await using var volume = await store.OpenVolumeAsync(id);
            await Patterns.ReadAllAsync(volume);
        }

        return expected.Count;
    }

    private static (Dictionary<string, string> Expected, HashSet<string> Deleting) ReadLog(string logPath)
    {
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        var deleting = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(logPath))
        {
            return (expected, deleting);
        }

        var text = File.ReadAllText(logPath);
        // Only complete lines count: the kill may cut the last one short.
        foreach (var line in text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (parts is ["S", var id, var digest])
            {
                expected[id] = digest;
            }
            else if (parts is ["D", var victim])
            {
                deleting.Add(victim);
            }
        }

        return (expected, deleting);
    }

    private static Process StartChild(string storePath, string logPath, int seed, string stderrPath)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var psi = new ProcessStartInfo(dotnet) { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        psi.ArgumentList.Add("kill-loop-child");
        psi.ArgumentList.Add(storePath);
        psi.ArgumentList.Add(logPath);
        psi.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the kill-loop child");
        // Kept for the failure message when the child dies on its own.
        _ = process.StandardError.ReadToEndAsync().ContinueWith(t => File.WriteAllText(stderrPath, t.Result), TaskScheduler.Default);
        return process;
    }

    private static async Task<string> ReadAsync(string path)
    {
        await Task.Delay(200);
        return File.Exists(path) ? await File.ReadAllTextAsync(path) : "";
    }
}
