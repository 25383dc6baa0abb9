using Imago.Formats;
using Imago.Storage.Nbd;
using Imago.Storage.Tests.Infrastructure;
using Imago.Storage.Tests.Nbd;

namespace Imago.Storage.Tests.StoreNbd;

/// <summary>A store served over NBD through <see cref="StoreExportProvider"/>, driven by qemu-io and qemu-img.</summary>
public sealed class StoreExportProviderTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task Pattern_written_to_a_volume_over_nbd_reads_back_from_its_snapshot_over_nbd_and_from_the_store()
    {
        await using var f = await StoreFixture.CreateAsync();
        await f.Store.CreateVolumeAsync("vol", 8 * MiB);
        await using var server = new StoreNbdServer(f.Store);

        var write = await QemuClient.IoAsync(server.Url("vol"), server.Timeout,
            "write -P 0xab 1M 64k", "write -P 0xcd 3M 4k", "read -P 0xab 1M 64k");
        Assert.True(write.Succeeded, write.Output);

        await f.Store.SnapshotAsync("vol", "snap");
        var overwrite = await QemuClient.IoAsync(server.Url("vol"), server.Timeout, "write -P 0x11 1M 64k");
        Assert.True(overwrite.Succeeded, overwrite.Output);

        var fromSnapshot = await QemuClient.RunAsync("qemu-io",
            ["-r", "-f", "raw", "-c", "read -P 0xab 1M 64k", "-c", "read -P 0xcd 3M 4k", "-c", "read -P 0 0 1M", server.Url("snap")],
            server.Timeout);
        Assert.True(fromSnapshot.Succeeded, fromSnapshot.Output);
        var explicitName = await QemuClient.RunAsync("qemu-io",
            ["-r", "-f", "raw", "-c", "read -P 0xab 1M 64k", server.Url("snapshot/snap")], server.Timeout);
        Assert.True(explicitName.Succeeded, explicitName.Output);

        await using var snapshot = await f.Store.OpenSnapshotAsync("snap");
        var bytes = await Patterns.ReadAllAsync(snapshot);
        Assert.All(bytes.AsSpan(MiB, 64 * 1024).ToArray(), b => Assert.Equal(0xab, b));
        Assert.All(bytes.AsSpan(3 * MiB, 4096).ToArray(), b => Assert.Equal(0xcd, b));
        Assert.Equal(0, bytes[MiB - 1]);
        Assert.Equal(0, bytes[MiB + 64 * 1024]);

        await server.WaitForIdleAsync();
        await using var volume = await f.Store.OpenVolumeAsync("vol"); // the last connection closed it
        var current = new byte[64 * 1024];
        await volume.ReadAsync(MiB, current);
        Assert.All(current, b => Assert.Equal(0x11, b));
    }

    [Fact]
    public async Task Snapshots_are_read_only_unknown_names_are_refused_and_listing_shows_both_kinds()
    {
        await using var f = await StoreFixture.CreateAsync();
        await f.Store.CreateVolumeAsync("vol", 2 * MiB);
        await f.Store.SnapshotAsync("vol", "snap");
        await using var server = new StoreNbdServer(f.Store);

        var write = await QemuClient.IoAsync(server.Url("snap"), server.Timeout, "write -P 0x01 0 4k");
        Assert.False(write.Succeeded, write.Output);
        var unknown = await QemuClient.IoAsync(server.Url("nope"), server.Timeout, "read 0 4k");
        Assert.False(unknown.Succeeded, unknown.Output);
        var bad = await QemuClient.IoAsync(server.Url("volume/../x"), server.Timeout, "read 0 4k");
        Assert.False(bad.Succeeded, bad.Output);

        var list = await QemuClient.NbdAsync(server.Timeout, "-L", "-b", "127.0.0.1", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("export: 'vol'", list.StdOut, StringComparison.Ordinal);
        Assert.Contains("export: 'snap'", list.StdOut, StringComparison.Ordinal);

        var still = await QemuClient.IoAsync(server.Url("vol"), server.Timeout, "write -P 0x02 0 4k", "read -P 0x02 0 4k");
        Assert.True(still.Succeeded, still.Output);
    }

    [Fact]
    public async Task Concurrent_clients_on_one_volume_share_it_and_each_sees_the_others_writes()
    {
        await using var f = await StoreFixture.CreateAsync();
        await f.Store.CreateVolumeAsync("vol", 4 * MiB);
        await using var server = new StoreNbdServer(f.Store);

        var clients = Enumerable.Range(0, 3).Select(i =>
            QemuClient.IoAsync(server.Url("vol"), server.Timeout, $"write -P 0x{i + 1:x2} {i}M 256k", $"read -P 0x{i + 1:x2} {i}M 256k"));
        foreach (var result in await Task.WhenAll(clients))
        {
            Assert.True(result.Succeeded, result.Output);
        }

        var check = await QemuClient.IoAsync(server.Url("vol"), server.Timeout, "read -P 0x01 0 256k", "read -P 0x02 1M 256k", "read -P 0x03 2M 256k");
        Assert.True(check.Succeeded, check.Output);
    }

    [Fact]
    public async Task QemuImg_convert_of_a_snapshot_export_equals_the_store_export()
    {
        await using var f = await StoreFixture.CreateAsync();
        await f.Store.CreateVolumeAsync("vol", 5 * MiB + 4096);
        await using (var volume = await f.Store.OpenVolumeAsync("vol"))
        {
            await volume.WriteAsync(MiB / 2, Patterns.Random(2 * MiB, 3));
            await volume.WriteAsync(5 * MiB, Patterns.Random(4096, 4));
        }

        await f.Store.SnapshotAsync("vol", "snap");
        await using var server = new StoreNbdServer(f.Store);
        var overNbd = f.File("nbd.raw");
        var convert = await QemuClient.ImgAsync(server.Timeout, "convert", "-f", "raw", "-O", "raw", server.Url("snap"), overNbd);
        Assert.True(convert.ExitCode == 0, convert.Output);

        var exported = f.File("export.raw");
        await f.Store.ExportAsync("snap", exported, ImageFormat.Raw);
        Assert.Equal(Patterns.Digest(await File.ReadAllBytesAsync(exported)), Patterns.Digest(await File.ReadAllBytesAsync(overNbd)));
    }
}
