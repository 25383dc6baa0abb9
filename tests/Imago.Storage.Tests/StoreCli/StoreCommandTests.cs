using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.Tests.Infrastructure;

namespace Imago.Storage.Tests.StoreCli;

/// <summary>The happy path of every <c>imago store</c> command, checked against qemu-img where it says something about bytes.</summary>
public sealed class StoreCommandTests : IDisposable
{
    private const int MiB = 1024 * 1024;

    private readonly TempDirectory _temp = new();

    private string Data => _temp.File("store");

    [Fact]
    public async Task Import_ls_info_and_export_round_trip_an_image()
    {
        var source = await MakeQcow2Async();
        var import = await ImagoCli.StoreAsync(Data, "import", source, "base", "-f", "qcow2");
        Assert.Equal(0, import.ExitCode);
        Assert.Contains("imported", import.Out, StringComparison.Ordinal);

        var ls = await ImagoCli.StoreAsync(Data, "ls");
        Assert.Equal(0, ls.ExitCode);
        Assert.Matches(@"snapshot\s+base\s+16 MiB\s+", ls.Out);

        var info = await ImagoCli.StoreAsync(Data, "info", "base");
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("virtual size: 16 MiB (16777216 bytes)", info.Out, StringComparison.Ordinal);

        foreach (var (format, file) in new[] { ("raw", "out.raw"), ("qcow2", "out.qcow2"), ("vpc", "out.vhd") })
        {
            var export = await ImagoCli.StoreAsync(Data, "export", "base", _temp.File(file), "-O", format);
            Assert.Equal(0, export.ExitCode);
            Assert.True(QemuImg.Compare(source, "qcow2", _temp.File(file), format), $"{format} export differs");
        }
    }

    [Fact]
    public async Task Volume_create_snapshot_and_clone_appear_in_ls_with_their_sizes()
    {
        Assert.Equal(0, (await ImagoCli.StoreAsync(Data, "volume", "create", "vol", "4M")).ExitCode);
        Assert.Equal(0, (await ImagoCli.StoreAsync(Data, "snapshot", "vol", "snap")).ExitCode);
        var clone = await ImagoCli.StoreAsync(Data, "volume", "from-snapshot", "snap", "bigger", "8M");
        Assert.Equal(0, clone.ExitCode);

        var ls = await ImagoCli.StoreAsync(Data, "ls");
        Assert.Matches(@"volume\s+vol\s+4 MiB\s+0 B", ls.Out);
        Assert.Matches(@"volume\s+bigger\s+8 MiB\s+0 B", ls.Out);
        Assert.Matches(@"snapshot\s+snap\s+4 MiB\s+0 B", ls.Out);
    }

    [Fact]
    public async Task Scrub_is_clean_then_exits_2_naming_a_damaged_chunk()
    {
        Assert.Equal(0, (await ImagoCli.StoreAsync(Data, "import", await MakeQcow2Async(), "base")).ExitCode);
        var clean = await ImagoCli.StoreAsync(Data, "scrub");
        Assert.Equal(0, clean.ExitCode);
        Assert.Contains("no errors were found", clean.Out, StringComparison.Ordinal);

        var chunk = Directory.EnumerateFiles(Path.Combine(Data, "chunks"), "*", SearchOption.AllDirectories).First();
        var bytes = await File.ReadAllBytesAsync(chunk);
        bytes[100] ^= 0xff;
        await File.WriteAllBytesAsync(chunk, bytes);

        var damaged = await ImagoCli.StoreAsync(Data, "scrub");
        Assert.Equal(2, damaged.ExitCode);
        Assert.Contains(Path.GetFileName(chunk), damaged.Out, StringComparison.Ordinal);
        Assert.Contains("1 corrupt", damaged.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gc_deletes_the_chunks_of_a_deleted_snapshot_only()
    {
        Assert.Equal(0, (await ImagoCli.StoreAsync(Data, "import", await MakeQcow2Async(), "keep")).ExitCode);
        var other = _temp.File("other.raw");
        await File.WriteAllBytesAsync(other, Patterns.Random(2 * MiB, 9));
        Assert.Equal(0, (await ImagoCli.StoreAsync(Data, "import", other, "drop", "-f", "raw")).ExitCode);
        await using (var store = await BlockStore.OpenAsync(Data))
        {
            await store.DeleteSnapshotAsync("drop");
        }

        var gc = await ImagoCli.StoreAsync(Data, "gc");
        Assert.Equal(0, gc.ExitCode);
        Assert.Matches(@"\d+ chunks scanned, 9 deleted", gc.Out); // 8 data chunks of 256 KiB and their page
        Assert.Equal(0, (await ImagoCli.StoreAsync(Data, "scrub")).ExitCode);
    }

    [Fact]
    public async Task Replicate_copies_to_a_new_store_and_a_rerun_sends_nothing()
    {
        var source = await MakeQcow2Async();
        Assert.Equal(0, (await ImagoCli.StoreAsync(Data, "import", source, "base")).ExitCode);
        var target = _temp.File("region-b");

        var first = await ImagoCli.StoreAsync(Data, "replicate", "--to", target, "base", "-p");
        Assert.Equal(0, first.ExitCode);
        Assert.Matches(@"replicated snapshot 'base': \d+ chunks sent", first.Out);
        Assert.Contains("100.00/100%", first.Error, StringComparison.Ordinal);
        var again = await ImagoCli.StoreAsync(Data, "replicate", "--to", target, "base");
        Assert.Contains("already at the destination", again.Out, StringComparison.Ordinal);

        Assert.Equal(0, (await ImagoCli.StoreAsync(target, "export", "base", _temp.File("b.raw"), "-O", "raw")).ExitCode);
        Assert.True(QemuImg.Compare(source, "qcow2", _temp.File("b.raw"), "raw"));
    }

    private async Task<string> MakeQcow2Async()
    {
        var path = _temp.File("disk.qcow2");
        if (!File.Exists(path))
        {
            QemuImg.Create(path, "qcow2", 16 * MiB);
            QemuImg.IoCommands(path, "qcow2", "write -P 0xab 1M 3M", "write -P 0x5c 9M 64k", "write -P 0x11 16380k 4k");
        }

        return await Task.FromResult(path);
    }

    public void Dispose() => _temp.Dispose();
}
