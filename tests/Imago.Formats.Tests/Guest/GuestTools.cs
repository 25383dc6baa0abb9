using System.Diagnostics;

namespace Imago.Formats.Tests.Guest;

/// <summary>Runs Debian's disk tools (sfdisk, mke2fs, mkfs.fat, mtools, mkswap): real disks are the test data.</summary>
internal static class GuestTools
{
    public static string Run(string program, params string[] args) => RunWithInput(program, "", args);

    /// <summary>Runs sfdisk on a disk file with a script on standard input.</summary>
    public static void Sfdisk(string disk, string script) => RunWithInput("sfdisk", script, "--no-reread", "--no-tell-kernel", "-q", disk);

    private static string RunWithInput(string program, string input, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["MTOOLS_SKIP_CHECK"] = "1";
        start.Environment["E2FSPROGS_FAKE_TIME"] = "1700000000"; // reproducible file systems
        if (program == "mkfs.xfs")
        {
            // xfstests' variables: mkfs.xfs then allows file systems below 300 MiB with a small log (test disks stay small).
            start.Environment["TEST_DIR"] = "1";
            start.Environment["TEST_DEV"] = "1";
            start.Environment["QA_CHECK_FS"] = "1";
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
        }

        return stdout.Result;
    }
}
