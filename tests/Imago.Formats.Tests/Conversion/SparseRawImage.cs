namespace Imago.Formats.Tests.Conversion;

/// <summary>
/// Builds sparse raw test disks: a hole-only file of the given size with seeded random (incompressible,
/// never all-zero) runs written at scattered 4 KiB-aligned offsets.
/// </summary>
public static class SparseRawImage
{
    public static void Create(string path, long size, int runs, int runLength, int seed)
    {
        using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
        RandomAccess.SetLength(handle, size);
        var random = new Random(seed);
        var data = new byte[runLength];
        for (var i = 0; i < runs; i++)
        {
            random.NextBytes(data);
            var slots = (size - runLength) / 4096;
            var offset = random.NextInt64(0, slots + 1) * 4096;
            RandomAccess.Write(handle, data, offset);
        }
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> of an existing file.</summary>
    public static void WriteAt(string path, long offset, byte[] data)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
        RandomAccess.Write(handle, data, offset);
    }

    /// <summary>Bytes the file occupies on disk, from stat(1) so the check does not trust our own code.</summary>
    public static long AllocatedBytes(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var parts = p.StandardOutput.ReadToEnd().Trim().Split(' ');
        p.WaitForExit();
        return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)
            * long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
