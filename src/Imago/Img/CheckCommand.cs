using Imago.Cli;
using Imago.Formats;
using Imago.Formats.Checking;
using Imago.Formats.IO;

namespace Imago.Img;

/// <summary>
/// <c>imago img check [-f FMT] [--output human|json] FILE</c>, with qemu-img's exit codes:
/// 0 clean, 1 check not completed, 2 corrupt, 3 leaks only, 63 the format has nothing to check (raw).
/// </summary>
internal sealed class CheckCommand : ICommand
{
    /// <summary>qemu-img check's exit code for formats without checks.</summary>
    public const int NotSupportedExitCode = 63;

    private static readonly OptionParser Parser = new(["-f", "--output"], ["-q"]);

    public string Name => "check";

    public string Summary => "check an image's metadata for corruption and leaks";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var options = Parser.Parse(args);
        var (path, format, json) = ImgArguments.SingleImage(options);

        using var source = FileByteSource.Open(path);
        var report = await DiskImages.CheckAsync(source, format, cancellationToken).ConfigureAwait(false);
        if (report is null)
        {
            await console.Error.WriteLineAsync("imago: This image format does not support checks").ConfigureAwait(false);
            return NotSupportedExitCode;
        }

        foreach (var message in report.Messages)
        {
            await console.Error.WriteLineAsync(message).ConfigureAwait(false);
        }

        var text = json ? Json(report, path) : options.Has("-q") ? "" : Human(report);
        await console.Out.WriteAsync(text).ConfigureAwait(false);
        return report.ExitCode;
    }

    /// <summary>qemu's ImageCheck: counters appear only when non-zero, except check-errors.</summary>
    private static string Json(CheckReport report, string path) => QemuText.Json(w =>
    {
        w.WriteStartObject();
        WriteIfSet(w, "image-end-offset", report.ImageEndOffset);
        WriteIfSet(w, "total-clusters", report.TotalClusters);
        w.WriteNumber("check-errors", report.CheckErrors);
        WriteIfSet(w, "corruptions", report.Corruptions);
        WriteIfSet(w, "leaks", report.Leaks);
        WriteIfSet(w, "allocated-clusters", report.AllocatedClusters);
        WriteIfSet(w, "fragmented-clusters", report.FragmentedClusters);
        WriteIfSet(w, "compressed-clusters", report.CompressedClusters);
        w.WriteString("filename", path);
        w.WriteString("format", report.Format.QemuName());
        w.WriteEndObject();
    });

    private static void WriteIfSet(System.Text.Json.Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v and not 0)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static string Human(CheckReport report)
    {
        var text = new System.Text.StringBuilder();
        if (report.Corruptions == 0 && report.Leaks == 0 && report.CheckErrors == 0)
        {
            text.Append("No errors were found on the image.\n");
        }

        if (report.Corruptions > 0)
        {
            text.Append($"\n{report.Corruptions} errors were found on the image.\n"
                + "Data may be corrupted, or further writes to the image may corrupt it.\n");
        }

        if (report.Leaks > 0)
        {
            text.Append($"\n{report.Leaks} leaked clusters were found on the image.\n"
                + "This means waste of disk space, but no harm to data.\n");
        }

        if (report.CheckErrors > 0)
        {
            text.Append($"\n{report.CheckErrors} internal errors have occurred during the check.\n");
        }

        if (report.TotalClusters is > 0 and var total && report.AllocatedClusters is > 0 and var allocated)
        {
            text.Append($"{allocated}/{total} = {QemuText.Percent(allocated * 100.0 / total)}% allocated, "
                + $"{QemuText.Percent((report.FragmentedClusters ?? 0) * 100.0 / allocated)}% fragmented, "
                + $"{QemuText.Percent((report.CompressedClusters ?? 0) * 100.0 / allocated)}% compressed clusters\n");
        }

        if (report.ImageEndOffset is > 0 and var end)
        {
            text.Append($"Image end offset: {end}\n");
        }

        return text.ToString();
    }
}
