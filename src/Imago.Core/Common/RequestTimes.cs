using System.Globalization;
using Imago.Core.Errors;

namespace Imago.Core.Common;

/// <summary>Times in requests (DescribeTasks StartTime/EndTime, DescribeSnapshots and DescribeImages Filter.N.Value).</summary>
public static class RequestTimes
{
    /// <summary><c>yyyy-MM-ddTHH:mmZ</c> (seconds accepted), UTC; else InvalidParameter naming <paramref name="name"/>.</summary>
    public static DateTime Parse(string text, string name) =>
        DateTime.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'"], CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
            : throw EcsErrors.InvalidParameter(name, "Use yyyy-MM-ddTHH:mmZ (UTC).");
}
