using System.Net;
using Imago.Core.Compute.Nbd;
using Microsoft.Extensions.Logging.Abstractions;
using static Imago.Core.Tests.Compute.ComputeFixture;

namespace Imago.Core.Tests.Compute;

public sealed class DiskNbdTests
{
    [Fact]
    public async Task WhatQemuWritesToADiskIsInItsVolume()
    {
        await using var f = await CreateAsync();
        await using var server = await StartAsync(f);
        var image = await f.AddImageAsync(marker: 0x5a);
        var (instanceId, disk) = await f.RunWithSystemDiskAsync(image);
        var url = server.UrlFor(disk.Id)!;
        Assert.Equal($"nbd://127.0.0.1:{server.LocalEndPoint!.Port}/{disk.Id}", url);

        var write = await QemuIo.RunAsync(url, "write -P 0xab 2M 64k");
        Assert.True(write.Succeeded, write.Output);
        var read = await QemuIo.RunAsync(url, "read -P 0xab 2M 64k", $"read -P 0x5a {MarkerOffset} 4k");
        Assert.True(read.Succeeded, read.Output);

        await f.Instances.StopInstanceAsync(Alice, Region, instanceId, false, default);
        await WaitClosedAsync(f, disk.Id); // the last connection's end closes (and commits) the volume
        Assert.All(await f.ReadVolumeAsync(disk.Id, 2 << 20, 64 << 10), b => Assert.Equal(0xab, b));
    }

    [Fact]
    public async Task OnlyExistingDisksAreExported()
    {
        await using var f = await CreateAsync();
        await using var server = await StartAsync(f);
        var image = await f.AddImageAsync();
        var (instanceId, disk) = await f.RunWithSystemDiskAsync(image);
        var baseUrl = $"nbd://127.0.0.1:{server.LocalEndPoint!.Port}/";

        // The image's snapshot, an unknown disk, and a volume that has no disk row are not exports.
        await f.Store.CreateVolumeAsync("d-orphan", 1 << 20);
        foreach (var name in new[] { image.DiskMappings[0].SnapshotId!, "d-unknown", "d-orphan", "../" + disk.Id })
        {
            Assert.False((await QemuIo.RunAsync(baseUrl + name, "read 0 4k")).Succeeded, name);
        }

        Assert.Empty(await f.Exports.ListExportsAsync(default));
        Assert.True((await QemuIo.RunAsync(baseUrl + disk.Id, "read 0 4k")).Succeeded);
    }

    [Fact]
    public async Task ALiveQemuConnectionGetsIoErrorsOnceItsDiskIsDeleted()
    {
        await using var f = await CreateAsync();
        await using var server = await StartAsync(f);
        var image = await f.AddImageAsync();
        var (instanceId, disk) = await f.RunWithSystemDiskAsync(image);
        await using var qemu = await QemuIoSession.OpenAsync(server.UrlFor(disk.Id)!);
        Assert.Contains("wrote 4096/4096 bytes", await qemu.RunAsync("write -P 0xab 0 4k"));

        await f.Instances.DeleteInstanceAsync(Alice, Region, instanceId, force: true, dryRun: false, default);

        Assert.False(f.Store.VolumeExists(disk.Id));
        Assert.Contains("failed", await qemu.RunAsync("read 0 4k"));
        Assert.False((await QemuIo.RunAsync(server.UrlFor(disk.Id)!, "read 0 4k")).Succeeded);
    }

    [Fact]
    public async Task DeletingAnInstanceCutsItsConnectionsAndDeletesTheVolumes()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync();
        var (instanceId, disk) = await f.RunWithSystemDiskAsync(image);
        // Two connections, as the NBD server would open them.
        await using var first = (await f.Exports.OpenExportAsync(disk.Id, default))!;
        await using var second = (await f.Exports.OpenExportAsync(disk.Id, default))!;
        await first.WriteAsync(0, new byte[4096]);

        await f.Instances.DeleteInstanceAsync(Alice, Region, instanceId, force: true, dryRun: false, default);

        Assert.False(f.Store.VolumeExists(disk.Id));
        Assert.False(await f.Exports.IsOpenAsync(disk.Id));
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => second.ReadAsync(0, new byte[4096]).AsTask());
        Assert.Null(await f.Exports.OpenExportAsync(disk.Id, default));
    }

    [Fact]
    public async Task ReplacingTheSystemDiskCutsConnectionsToTheOldOne()
    {
        await using var f = await CreateAsync();
        var image = await f.AddImageAsync(marker: 0x11);
        var other = await f.AddImageAsync(marker: 0x22);
        var instanceId = await f.Instances.CreateInstanceAsync(Alice, Launch(image.Id), default);
        var old = Assert.Single(await f.DisksOfAsync(Alice, instanceId));
        await using var connection = (await f.Exports.OpenExportAsync(old.Id, default))!;

        var newDiskId = await f.Instances.ReplaceSystemDiskAsync(Alice, new() { InstanceId = instanceId, ImageId = other.Id }, default);

        Assert.False(f.Store.VolumeExists(old.Id));
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => connection.ReadAsync(0, new byte[512]).AsTask());
        await using var fresh = (await f.Exports.OpenExportAsync(newDiskId, default))!;
        var bytes = new byte[4096];
        await fresh.ReadAsync(MarkerOffset, bytes);
        Assert.All(bytes, b => Assert.Equal(0x22, b));
    }

    [Fact]
    public async Task NoEndpointMeansNoServerAndNoUrl()
    {
        await using var f = await CreateAsync();
        await using var server = new DiskNbdServer(new ServiceOptions(f.DataDirectory, [Region], null), f.Exports, NullLogger<DiskNbdServer>.Instance);
        server.Start();
        Assert.Null(server.LocalEndPoint);
        Assert.Null(server.UrlFor("d-x"));
    }

    /// <summary>The server releases a connection's handle just after the client leaves: wait for it (bounded).</summary>
    private static async Task WaitClosedAsync(ComputeFixture f, string diskId)
    {
        for (var i = 0; i < 200 && await f.Exports.IsOpenAsync(diskId); i++)
        {
            await Task.Delay(50);
        }

        Assert.False(await f.Exports.IsOpenAsync(diskId));
    }

    private static Task<DiskNbdServer> StartAsync(ComputeFixture f)
    {
        var server = new DiskNbdServer(new ServiceOptions(f.DataDirectory, [Region], new IPEndPoint(IPAddress.Loopback, 0)), f.Exports,
            NullLogger<DiskNbdServer>.Instance);
        server.Start();
        return Task.FromResult(server);
    }
}
