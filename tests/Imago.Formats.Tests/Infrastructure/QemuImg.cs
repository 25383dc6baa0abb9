using System.Diagnostics;
using System.Text.Json;

namespace Imago.Formats.Tests.Infrastructure;

/// <summary>
/// Runs Debian's qemu-img and qemu-io, the reference every format test is checked against.
/// Every call passes -f explicitly (never let qemu probe a format).
/// </summary>
public static class QemuImg
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public Result EnsureSuccess(string what)
        {
            if (ExitCode != 0)
            {
                throw new InvalidOperationException($"{what} failed with exit code {ExitCode}: {StdErr}{StdOut}");
            }

            return this;
        }
    }

    public static Result Run(params string[] args) => Exec("qemu-img", args);

    public static Result Io(params string[] args) => Exec("qemu-io", args);

    /// <summary>qemu-img create -f FMT [-o OPTS] PATH SIZE.</summary>
    public static void Create(string path, string format, long size, string? options = null)
    {
        var args = new List<string> { "create", "-q", "-f", format };
        if (options is not null)
        {
            args.AddRange(["-o", options]);
        }

        args.AddRange([path, size.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Run([.. args]).EnsureSuccess("qemu-img create");
    }

    /// <summary>qemu-img convert -f SRCFMT -O DSTFMT [-o OPTS] [-c] SRC DST.</summary>
    public static void Convert(string source, string sourceFormat, string destination, string destinationFormat,
        string? options = null, bool compress = false)
    {
        var args = new List<string> { "convert", "-q", "-f", sourceFormat, "-O", destinationFormat };
        if (options is not null)
        {
            args.AddRange(["-o", options]);
        }

        if (compress)
        {
            args.Add("-c");
        }

        args.AddRange([source, destination]);
        Run([.. args]).EnsureSuccess("qemu-img convert");
    }

    /// <summary>qemu-img info --output json, parsed.</summary>
    public static JsonDocument Info(string path, string format) =>
        JsonDocument.Parse(Run("info", "-f", format, "--output", "json", path).EnsureSuccess("qemu-img info").StdOut);

    /// <summary>qemu-img check --output json: exit code and parsed report.</summary>
    public static (int ExitCode, JsonDocument? Report) Check(string path, string format)
    {
        var r = Run("check", "-f", format, "--output", "json", path);
        JsonDocument? doc = null;
        if (r.StdOut.TrimStart().StartsWith('{'))
        {
            doc = JsonDocument.Parse(r.StdOut);
        }

        return (r.ExitCode, doc);
    }

    /// <summary>qemu-img compare -f A -F B: true when the guest-visible contents are equal.</summary>
    public static bool Compare(string a, string aFormat, string b, string bFormat)
    {
        var r = Run("compare", "-f", aFormat, "-F", bFormat, a, b);
        return r.ExitCode switch
        {
            0 => true,
            1 => false,
            _ => throw new InvalidOperationException($"qemu-img compare failed ({r.ExitCode}): {r.StdErr}"),
        };
    }

    /// <summary>Writes a pattern with qemu-io: e.g. Write(path, "qcow2", "write -P 0xab 1M 64k").</summary>
    public static void IoCommands(string path, string format, params string[] commands)
    {
        var args = new List<string> { "-f", format };
        foreach (var c in commands)
        {
            args.AddRange(["-c", c]);
        }

        args.Add(path);
        var r = Io([.. args]).EnsureSuccess("qemu-io");
        if (r.StdOut.Contains("failed", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("qemu-io: " + r.StdOut);
        }
    }

    private static Result Exec(string tool, string[] args)
    {
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
