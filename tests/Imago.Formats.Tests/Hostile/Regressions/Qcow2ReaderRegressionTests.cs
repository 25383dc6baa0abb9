using System.Runtime.CompilerServices;

namespace Imago.Formats.Tests.Hostile.Regressions;

/// <summary>
/// Inputs that crashed the qcow2 reader (found by MutationTests, seed qcow2-extended-l2 iteration 16, and by
/// fuzz/run.sh qcow2): an extended-L2 entry marks a subcluster allocated whose bytes lie past the end of the file,
/// and Qcow2DiskImage.ReadDataAsync sliced the buffer with a negative length (ArgumentOutOfRangeException, only
/// hidden by the reader's catch-all wrap). qemu reads bytes past the end of the file as zeros.
/// </summary>
public sealed class Qcow2ReaderRegressionTests
{
    [Fact]
    public async Task Allocated_subcluster_past_the_end_of_the_file()
    {
        var seed = HostileCorpus.Seed("qcow2-extended-l2").Data;
        var l1 = (long)ImageBytes.ReadBe64(seed, 40);
        var l2 = (long)(ImageBytes.ReadBe64(seed, l1) & 0x00FF_FFFF_FFFF_FE00UL);

        // Cluster 8 (512 KiB) holds the last, partly written data cluster; mark its subcluster 11 allocated too.
        var input = seed.With(d => d[l2 + (8 * 16) + 14] |= 0x08);
        Assert.Null(await Pipeline.CrashOfAsync(ct => Pipeline.OpenMapAndReadAllAsync(input, ImageFormat.Qcow2, ct)));
    }

    [Fact]
    public async Task Afl_finding_qcow2_000001()
    {
        var input = await File.ReadAllBytesAsync(Path.Combine(SourceDirectory(), "qcow2", "afl-qcow2-000001.bin"));
        Assert.Null(await Pipeline.CrashOfAsync(ct => Pipeline.OpenMapAndReadAllAsync(input, ImageFormat.Qcow2, ct)));
    }

    // The finding files live next to this source file (they are not copied to the build output).
    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
