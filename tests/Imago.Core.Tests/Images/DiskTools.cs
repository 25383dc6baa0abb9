using System.Diagnostics;
using System.Globalization;

namespace Imago.Core.Tests.Images;

/// <summary>Debian's partition and FAT tools (fdisk's sfdisk, dosfstools, mtools, qemu-img): the oracle for generated disks.</summary>
internal static class DiskTools
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static Result Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["MTOOLS_SKIP_CHECK"] = "1"; // mtools: no complaints about the disk's CHS geometry
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Copies the partition at <paramref name="offset"/> out of a raw disk as a sparse raw file (qemu-img skips holes).</summary>
    public static void ExtractPartition(string disk, long offset, long size, string destination)
    {
        var options = string.Create(CultureInfo.InvariantCulture, $"driver=raw,offset={offset},size={size},file.driver=file,file.filename={disk}");
        var r = Run("qemu-img", "convert", "--image-opts", options, "-O", "raw", destination);
        Assert.True(r.ExitCode == 0, $"qemu-img convert: {r.StdErr}");
    }
}
