using System.Globalization;

namespace Imago.Core.Billing;

/// <summary>
/// The opt-in test clock (<c>imago serve --clock FILE</c>): a wall clock that stands still at the instant written in
/// FILE (one line, ISO 8601 UTC, e.g. <c>2026-03-01T10:00:00Z</c>) until <c>imago admin clock set|advance</c> rewrites
/// it, so a test through a real server can launch at a known instant, advance two hours and compute the bill by hand.
/// Only the wall time is frozen: timers and elapsed-time measurements (<see cref="TimeProvider.GetTimestamp"/>) run
/// on the system clock. The parts that must agree with the real world keep <see cref="TimeProvider.System"/> even
/// under it (request signature timestamps, the nonce window, the transfer throttle, bucket objects): docs/billing.md.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private readonly string _path;
    private readonly Lock _gate = new();
    private DateTimeOffset _last;

    private TestClock(string path, DateTimeOffset now)
    {
        _path = path;
        _last = now;
    }

    public string FilePath => _path;

    /// <summary>Opens the clock; the file must hold a valid instant (one readable line otherwise).</summary>
    public static TestClock Open(string path) => new(path, Read(path));

    /// <summary>
    /// The instant in the file. Read on every call (a tiny local file, test deployments only) so that a test that
    /// just advanced the clock sees it at once; a file caught mid-rewrite keeps the last good instant.
    /// </summary>
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            try
            {
                _last = Read(_path);
            }
            catch (InvalidDataException)
            {
            }

            return _last;
        }
    }

    /// <summary>The instant held by a clock file.</summary>
    public static DateTimeOffset Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"clock file {path}: {e.Message}", e);
        }

        return Parse(text) ?? throw new InvalidDataException($"clock file {path}: '{Truncate(text)}' is not a UTC time like 2026-03-01T10:00:00Z");
    }

    /// <summary>An ISO 8601 instant with an explicit zone, or null.</summary>
    public static DateTimeOffset? Parse(string text) =>
        text.Length is > 0 and <= 64
        && (text.EndsWith('Z') || text.Contains('+', StringComparison.Ordinal) || text.LastIndexOf('-') > 9)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var value)
            ? value.ToUniversalTime()
            : null;

    /// <summary>Writes <paramref name="instant"/> atomically (a reader never sees half a line).</summary>
    public static async Task WriteAsync(string path, DateTimeOffset instant, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".clock-{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(temporary, Format(instant) + "\n", cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    public static string Format(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string Truncate(string text) => text.Length > 40 ? text[..40] + "..." : text;
}
