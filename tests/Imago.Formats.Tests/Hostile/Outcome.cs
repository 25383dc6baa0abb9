using Imago.Formats.Inspection;
using Imago.Formats.IO;

namespace Imago.Formats.Tests.Hostile;

/// <summary>Runs the inspector on a corpus case and describes any way the outcome differs from what is owed.</summary>
public static class Outcome
{
    /// <summary>Returns null when the inspector did what the case requires, otherwise a one-line reason.</summary>
    public static async Task<string?> CheckInspectionAsync(HostileCase c)
    {
        InspectionResult result;
        try
        {
            using var source = new MemoryByteSource(c.Data);
            result = await ImageInspector.InspectAsync(source, c.Declared);
        }
        catch (ImageFormatException ex)
        {
            if (DescribeBadRefusal(ex) is { } bad)
            {
                return $"{c}: {bad}";
            }

            return c.Verdict switch
            {
                Verdict.Accepted => $"{c}: refused ({ex.Kind}: {ex.Message}) but must be accepted as {c.Format}",
                Verdict.Refused when ex.Kind != c.Kind => $"{c}: refused as {ex.Kind} ({ex.Message}), expected {c.Kind}",
                _ => null,
            };
        }

        return c.Verdict switch
        {
            Verdict.Refused => $"{c}: accepted as {result.Format} ({result.VirtualSize} bytes) but must be refused as {c.Kind}",
            _ when result.Format != c.Format => $"{c}: accepted as {result.Format}, expected {c.Format}",
            Verdict.Accepted when result.VirtualSize != c.VirtualSize => $"{c}: virtual size {result.VirtualSize}, qemu-img says {c.VirtualSize}",
            _ => null,
        };
    }

    /// <summary>
    /// A refusal must be one readable line, and must not be a parser defect dressed as a refusal (the inspector
    /// wraps defects so they never leak, but keeps them as the inner exception for exactly this check).
    /// </summary>
    public static string? DescribeBadRefusal(ImageFormatException ex)
    {
        if (string.IsNullOrWhiteSpace(ex.Message) || ex.Message.Contains('\n') || ex.Message.Contains('\r'))
        {
            return $"refusal message is not one line: \"{ex.Message}\"";
        }

        return IsDefect(ex.InnerException) ? $"parser defect behind the refusal: {ex.InnerException}" : null;
    }

    /// <summary>Exception types that only a bug (not bad input) can produce.</summary>
    public static bool IsDefect(Exception? ex) =>
        ex is IndexOutOfRangeException or ArgumentException or OverflowException or InvalidCastException
            or DivideByZeroException or NullReferenceException or NotImplementedException or InvalidOperationException;
}
