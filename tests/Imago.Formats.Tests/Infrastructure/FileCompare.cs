namespace Imago.Formats.Tests.Infrastructure;

public static class DiskAssert
{
    /// <summary>
    /// Asserts that reading the whole virtual disk through <paramref name="image"/> gives exactly the bytes of
    /// <paramref name="rawPath"/> (typically made by qemu-img convert -O raw). Reads in 1 MiB pieces.
    /// </summary>
    public static async Task EqualsRawFileAsync(IDiskImage image, string rawPath)
    {
        var expectedLength = new FileInfo(rawPath).Length;
        Assert.Equal(expectedLength, image.VirtualSize);
        using var raw = File.OpenHandle(rawPath);
        var ours = new byte[1 << 20];
        var theirs = new byte[1 << 20];
        for (long offset = 0; offset < expectedLength; offset += ours.Length)
        {
            var n = (int)Math.Min(ours.Length, expectedLength - offset);
            await image.ReadAsync(offset, ours.AsMemory(0, n));
            var read = 0;
            while (read < n)
            {
                var r = await RandomAccess.ReadAsync(raw, theirs.AsMemory(read, n - read), offset + read);
                Assert.True(r > 0, "short read of reference raw file");
                read += r;
            }

            if (!ours.AsSpan(0, n).SequenceEqual(theirs.AsSpan(0, n)))
            {
                var i = ours.AsSpan(0, n).CommonPrefixLength(theirs.AsSpan(0, n));
                Assert.Fail($"virtual disk differs from qemu-img's raw output at byte {offset + i}");
            }
        }
    }
}
