using Imago.Api.Tests.Infrastructure;
using System.Text.Json;
using Imago.Core.Images.PublicCatalog;
using Imago.Core.Images.Seeding;
using Imago.Core.Regions;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Formats;
using Imago.Formats.Tests.Infrastructure;
using Imago.Serve;
using Microsoft.EntityFrameworkCore;

namespace Imago.Api.Tests.Images;

/// <summary><c>imago admin public-image list|import</c> on a data directory of its own (import needs the service stopped).</summary>
public sealed class PublicImageAdminTests : IDisposable
{
    private static readonly string[] TwoRegions = ["cn-hangzhou", "cn-shanghai"];

    private readonly TempDirectory _data = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    private Task<(int ExitCode, string Out, string Error)> Imago(params string[] args) => ImagoCommand.RunAsync(_data.Path, args);

    /// <summary>A 256 MiB qcow2 with two written ranges: a real file for the importer to read.</summary>
    private string RealImage(string name, string pattern)
    {
        var path = _data.File(name);
        QemuImg.Create(path, "qcow2", 256L * 1024 * 1024);
        QemuImg.IoCommands(path, "qcow2", $"write -P {pattern} 0 64k", $"write -P {pattern} 100M 1M");
        return path;
    }

    private async Task<ImagoDatabase> DatabaseAsync() => await DatabaseOpener.OpenAsync(_data.Path, null, CancellationToken.None);

    private async Task SeedAsync()
    {
        var database = await DatabaseAsync();
        var regions = new RegionCatalog(TwoRegions);
        await using var stores = await RegionStores.OpenAsync(_data.Path, regions);
        await new PublicImageSeeder(database, stores, regions).SeedAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ImportAddsAPublicImageToEveryRegionWithTheFilesBytes()
    {
        await SeedAsync();
        var file = RealImage("rocky.qcow2", "0x5a");
        var (code, output, error) = await Imago("admin", "public-image", "import", file, "--id", "rockylinux_9_3_x64_20G_alibase_20240110.vhd",
            "--platform", "Rocky Linux", "--os-name-en", "Rocky Linux 9.3 64 bit", "--family", "acs:rockylinux_9_x64", "--boot-mode", "UEFI", "-p");
        Assert.True(code == 0, error);
        Assert.Contains("cn-shanghai:", error, StringComparison.Ordinal);
        Assert.Contains("(100.00/100%)", error, StringComparison.Ordinal);
        Assert.Equal(2, output.Trim().Split('\n').Length);

        var (listCode, listed, _) = await Imago("admin", "public-image", "list", "--json");
        Assert.Equal(0, listCode);
        var entry = JsonDocument.Parse(listed).RootElement.EnumerateArray().Single(e => e.GetProperty("ImageId").GetString() == "rockylinux_9_3_x64_20G_alibase_20240110.vhd");
        Assert.Equal(("Rocky Linux", "UEFI", 1, "acs:rockylinux_9_x64"), (entry.GetProperty("Platform").GetString(), entry.GetProperty("BootMode").GetString(),
            entry.GetProperty("Size").GetInt32(), entry.GetProperty("ImageFamily").GetString()));
        Assert.Equal(TwoRegions.Order(), entry.GetProperty("Regions").EnumerateArray().Select(r => r.GetString()!).Order());

        var database = await DatabaseAsync();
        await using var stores = await RegionStores.OpenAsync(_data.Path, new RegionCatalog(TwoRegions));
        foreach (var region in TwoRegions)
        {
            await using var db = database.CreateContext();
            var mapping = await db.ImageDiskMappings.SingleAsync(m => m.RegionId == region && m.ImageId == "rockylinux_9_3_x64_20G_alibase_20240110.vhd");
            var exported = _data.File($"export-{region}.raw");
            await stores[region].ExportAsync(mapping.SnapshotId!, exported, ImageFormat.Raw);
            Assert.True(QemuImg.Compare(file, "qcow2", exported, "raw"), $"bytes differ in {region}");
            Assert.True(await db.Snapshots.AnyAsync(s => s.Id == mapping.SnapshotId && s.AccountId == null));
        }
    }

    [Fact]
    public async Task ImportReplacesACatalogEntryAndDropsItsUnusedSnapshot()
    {
        await SeedAsync();
        const string ubuntu = "ubuntu_22_04_x64_20G_alibase_20240130.vhd";
        const string centos = "centos_7_9_x64_20G_alibase_20231220.vhd";
        var database = await DatabaseAsync();
        string oldUbuntu;
        string oldCentos;
        await using (var db = database.CreateContext())
        {
            oldUbuntu = (await db.ImageDiskMappings.SingleAsync(m => m.RegionId == "cn-hangzhou" && m.ImageId == ubuntu)).SnapshotId!;
            oldCentos = (await db.ImageDiskMappings.SingleAsync(m => m.RegionId == "cn-hangzhou" && m.ImageId == centos)).SnapshotId!;
            // A disk was made from the CentOS snapshot: that snapshot must survive the replacement.
            db.Disks.Add(new DiskEntity
            {
                Id = "d-bp1disk0000000000000a", AccountId = 1234567890123456, RegionId = "cn-hangzhou", ZoneId = "cn-hangzhou-h", Type = "system",
                Status = DiskStatuses.Available, ImageId = centos, SourceSnapshotId = oldCentos, SizeGiB = 20,
            });
            await db.SaveChangesAsync();
        }

        Assert.Equal(0, (await Imago("admin", "public-image", "import", RealImage("u.qcow2", "0x11"), "--id", ubuntu)).ExitCode);
        Assert.Equal(0, (await Imago("admin", "public-image", "import", RealImage("c.qcow2", "0x22"), "--id", centos)).ExitCode);

        await using (var db = database.CreateContext())
        {
            var image = await db.Images.Include(i => i.DiskMappings).SingleAsync(i => i.RegionId == "cn-hangzhou" && i.Id == ubuntu);
            Assert.NotEqual(oldUbuntu, image.DiskMappings.Single().SnapshotId);
            Assert.Equal(("Ubuntu", "acs:ubuntu_22_04_x64", 1, ubuntu), (image.Platform, image.Family, image.SizeGiB, image.Name)); // metadata kept
            Assert.False(await db.Snapshots.AnyAsync(s => s.Id == oldUbuntu));
            Assert.True(await db.Snapshots.AnyAsync(s => s.Id == oldCentos));
            Assert.Equal(PublicImageCatalog.Entries.Count * 2, await db.Images.CountAsync());
        }

        await using var stores = await RegionStores.OpenAsync(_data.Path, new RegionCatalog(TwoRegions));
        Assert.False(stores["cn-hangzhou"].SnapshotExists(oldUbuntu));
        Assert.True(stores["cn-hangzhou"].SnapshotExists(oldCentos));
    }

    [Fact]
    public async Task AHostileFileIsRefusedWithOneLineAndChangesNothing()
    {
        await SeedAsync();
        var hostile = _data.File("evil.qcow2");
        var header = new byte[512];
        byte[] magic = [0x51, 0x46, 0x49, 0xFB]; // "QFI\xfb": qcow2, then nonsense: version 0, an absurd size
        magic.CopyTo(header, 0);
        for (var i = 24; i < 32; i++)
        {
            header[i] = 0xff;
        }

        await File.WriteAllBytesAsync(hostile, header);
        var (code, output, error) = await Imago("admin", "public-image", "import", hostile, "--id", "evil_1_x64_20G_alibase_20240101.vhd");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith("imago: ", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));

        await using var db = (await DatabaseAsync()).CreateContext();
        Assert.False(await db.Images.AnyAsync(i => i.Id == "evil_1_x64_20G_alibase_20240101.vhd"));
    }

    [Theory]
    [InlineData("--id", "m-bp1abc", "is not a public image id")]
    [InlineData("--os-type", "beos", "--os-type must be one of")]
    [InlineData("--architecture", "mips", "--architecture must be one of")]
    [InlineData("--format", "vmdk", "--format must be raw, qcow2 or vhd")]
    public async Task BadOptionsAreOneLineErrors(string option, string value, string expected)
    {
        var file = RealImage("ok.qcow2", "0x01");
        string[] args = option == "--id"
            ? ["admin", "public-image", "import", file, "--id", value]
            : ["admin", "public-image", "import", file, "--id", "good_1_x64_20G_alibase_20240101.vhd", option, value];
        var (code, _, error) = await Imago(args);
        Assert.Equal(1, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportWaitsForTheServiceToStop()
    {
        using var held = DataDirectoryLock.Acquire(_data.Path);
        var (code, _, error) = await Imago("admin", "public-image", "import", RealImage("x.qcow2", "0x01"), "--id", "x_1_x64_20G_alibase_20240101.vhd");
        Assert.Equal(1, code);
        Assert.Contains("in use by another imago serve", error, StringComparison.Ordinal);
    }
}
