using Imago.Formats;
using Imago.Formats.Inspection;
using Imago.Formats.IO;
using Imago.Formats.Tests.Hostile;

namespace Imago.Fuzz;

/// <summary>
/// One fuzz target per parser. Each feeds the input to the engine from memory; a refusal
/// (<see cref="ImageFormatException"/>) is an expected outcome, anything else escapes and AFL records a crash.
/// </summary>
public static class Targets
{
    public static readonly IReadOnlyDictionary<string, Func<byte[], Task>> All = new Dictionary<string, Func<byte[], Task>>
    {
        ["inspect"] = async data =>
        {
            using var source = new MemoryByteSource(data);
            await ImageInspector.InspectAsync(source);
        },
        ["qcow2"] = data => Pipeline.OpenMapAndReadAllAsync(data, ImageFormat.Qcow2),
        ["vhd"] = data => Pipeline.OpenMapAndReadAllAsync(data, ImageFormat.Vhd),
        ["qcow2-check"] = data => Pipeline.CheckAsync(data, ImageFormat.Qcow2),
        ["vhd-check"] = data => Pipeline.CheckAsync(data, ImageFormat.Vhd),
        ["options"] = data =>
        {
            ImageCreateOptions.Parse(System.Text.Encoding.UTF8.GetString(data));
            return Task.CompletedTask;
        },
    };

    /// <summary>Runs a target on one input; rethrows anything that is not a clean refusal.</summary>
    public static void RunOne(Func<byte[], Task> target, byte[] data)
    {
        try
        {
            // In-memory sources complete synchronously; blocking here is the harness, not library code.
            target(data).GetAwaiter().GetResult();
        }
        catch (ImageFormatException ex) when (Outcome.DescribeBadRefusal(ex) is null)
        {
        }
    }
}
