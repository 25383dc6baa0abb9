using Imago.Formats.Guest;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Formats.Tests.Guest;

/// <summary>
/// Hostile disks: valid test disks with bytes flipped, set to boundary values or cut off, exactly where detection
/// reads (the ranges a clean run read are recorded first). Detection must finish with a report every time: no
/// exception of any kind, and no more reads than its budget allows (so time is bounded by construction).
/// </summary>
public sealed class GuestMutationTests : IDisposable
{
    private const int Iterations = 300;

    private static readonly byte[] Interesting = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0x02, 0xF3, 0x0A];

    private readonly TempDirectory _temp = new();
    private readonly GuestDiskBuilder _build;

    public GuestMutationTests() => _build = new GuestDiskBuilder(_temp);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public Task Mutated_gpt_ext4_disks_never_throw() =>
        MutateAsync(_build.Disk(16, "label: gpt\nsize=1M, type=21686148-6449-6E6F-744E-656564454649\nsize=4M, type=uefi\nsize=8M, type=linux\n",
            null, _build.Fat(16, 4), _build.Ext(_build.RootTree(), "ext4", 8)), seed: 1);

    [Fact]
    public Task Mutated_mbr_ext2_disks_with_indirect_blocks_never_throw() =>
        MutateAsync(_build.Disk(12, "label: dos\nstart=2048, size=10M, type=5\nstart=4096, size=8M, type=83\n",
            _build.Ext(_build.RootTree(), "ext2", 8)), seed: 2);

    [Fact]
    public Task Mutated_fat_disks_never_throw() =>
        MutateAsync(_build.Disk(10, "label: dos\nsize=8M, type=c\n",
            _build.Fat(16, 8, ("/usr/lib/os-release", GuestDiskBuilder.UbuntuOsRelease), ("/etc/hostname", "x"))), seed: 3);

    [Fact]
    public Task Mutated_fat32_gpt_disks_never_throw() =>
        MutateAsync(_build.Disk(42, "label: gpt\nsize=40M, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n",
            _build.Fat(32, 40, ("/etc/os-release", GuestDiskBuilder.UbuntuOsRelease), ("/EFI/BOOT/BOOTX64.EFI", "x"))), seed: 6);

    [Fact]
    public Task Mutated_lvm_disks_never_throw()
    {
        var pv = LvmImage.Build(_build.Ext(_build.RootTree(), "ext4", 8), _temp.File("pv.img"));
        return MutateAsync(_build.Disk(12, "label: dos\nsize=9M, type=8e\n", pv), seed: 7);
    }

    [Fact]
    public Task Mutated_unpartitioned_ext4_with_1k_blocks_never_throws() =>
        MutateAsync(_build.Ext(_build.RootTree(), "ext4", 6, "-b", "1024"), seed: 4);

    [Fact]
    public Task Mutated_xfs_disks_never_throw() =>
        MutateAsync(_build.Disk(20, "label: gpt\nsize=16M, type=linux\n", _build.Xfs(_build.RootTree(GuestDiskBuilder.CentOsRelease))), seed: 5);

    private static async Task MutateAsync(string path, int seed)
    {
        var clean = await File.ReadAllBytesAsync(path);
        var reads = new List<(long Offset, int Length)>();
        var report = await GuestDetector.DetectAsync(clean.Length, (offset, buffer, _) =>
        {
            reads.Add((offset, buffer.Length));
            clean.AsMemory((int)offset, buffer.Length).CopyTo(buffer);
            return ValueTask.CompletedTask;
        });
        Assert.NotNull(report.OsRelease); // the seed itself is detected, so mutations hit real structures

        var random = new Random(seed);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var mutations = new Dictionary<long, byte>();
            long size = clean.Length;
            for (var m = 1 + random.Next(4); m > 0; m--)
            {
                var (offset, length) = reads[random.Next(reads.Count)];
                var at = offset + random.Next(length);
                switch (random.Next(6))
                {
                    case 0:
                        size = Math.Min(size, at);
                        break;
                    case 1 or 2:
                        mutations[at] = (byte)(clean[at] ^ (1 << random.Next(8)));
                        break;
                    default:
                        // Little-endian field overwritten with a boundary value: 0, all ones, or high bit set.
                        var value = Interesting[random.Next(Interesting.Length)];
                        for (var b = 0; b < 1 << random.Next(3) && at + b < clean.Length; b++)
                        {
                            mutations[at + b] = value;
                        }

                        break;
                }
            }

            var mutated = await DetectMutatedAsync(clean, mutations, size);
            var key = mutated.OsRelease is null ? "unknown" : "detected";
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }

        Assert.True(outcomes.GetValueOrDefault("unknown") > 0, "some mutations must break detection, or they hit nothing");
    }

    private static Task<GuestReport> DetectMutatedAsync(byte[] clean, Dictionary<long, byte> mutations, long size) =>
        GuestDetector.DetectAsync(size, (offset, buffer, _) =>
        {
            Assert.True(offset >= 0 && offset + buffer.Length <= size, "detection read outside the disk");
            clean.AsMemory((int)offset, buffer.Length).CopyTo(buffer);
            foreach (var (at, value) in mutations)
            {
                if (at >= offset && at < offset + buffer.Length)
                {
                    buffer.Span[(int)(at - offset)] = value;
                }
            }

            return ValueTask.CompletedTask;
        });
}
