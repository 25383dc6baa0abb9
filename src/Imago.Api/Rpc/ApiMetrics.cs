using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Imago.Api.Rpc;

/// <summary>
/// Request counters by action and result code, and a latency histogram per action, exposed in the Prometheus text
/// format on <c>/metrics</c>. Label values come only from registered action names and the service's own error
/// codes, so the series count stays bounded whatever clients send.
/// </summary>
public sealed class ApiMetrics
{
    /// <summary>Upper bounds of the latency buckets, in seconds.</summary>
    public static readonly double[] BucketBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The action label for a name no handler is registered for.</summary>
    public const string UnknownAction = "(unknown)";

    private readonly ConcurrentDictionary<(string Action, string Code, int Status), StrongBox> _requests = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new(StringComparer.Ordinal);

    public void Record(string action, string code, int status, TimeSpan duration)
    {
        Interlocked.Increment(ref _requests.GetOrAdd((action, code, status), _ => new StrongBox()).Value);
        _latency.GetOrAdd(action, _ => new Histogram(BucketBounds.Length)).Observe(duration.TotalSeconds);
    }

    public string Exposition()
    {
        var text = new StringBuilder();
        text.Append("# HELP imago_requests_total ECS API requests by action, result code and HTTP status.\n");
        text.Append("# TYPE imago_requests_total counter\n");
        foreach (var ((action, code, status), count) in _requests.OrderBy(p => p.Key.Action, StringComparer.Ordinal).ThenBy(p => p.Key.Code, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture,
                $"imago_requests_total{{action=\"{Escape(action)}\",code=\"{Escape(code)}\",status=\"{status}\"}} {Interlocked.Read(ref count.Value)}\n");
        }

        text.Append("# HELP imago_request_duration_seconds ECS API request latency by action.\n");
        text.Append("# TYPE imago_request_duration_seconds histogram\n");
        foreach (var (action, histogram) in _latency.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            histogram.AppendTo(text, Escape(action));
        }

        return text.ToString();
    }

    private static string Escape(string label) => label.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private sealed class StrongBox
    {
        public long Value;
    }

    /// <summary>
    /// Lock-free: an observation increments one bucket, the count and the sum (kept in whole microseconds so it can be
    /// added atomically); cumulative buckets are computed at exposition.
    /// </summary>
    private sealed class Histogram(int bucketCount)
    {
        private readonly long[] _buckets = new long[bucketCount + 1];
        private long _count;
        private long _sumMicroseconds;

        public void Observe(double seconds)
        {
            var index = Array.FindIndex(BucketBounds, bound => seconds <= bound);
            Interlocked.Increment(ref _buckets[index < 0 ? bucketCount : index]);
            Interlocked.Add(ref _sumMicroseconds, (long)Math.Round(seconds * 1_000_000));
            Interlocked.Increment(ref _count);
        }

        public void AppendTo(StringBuilder text, string action)
        {
            long cumulative = 0;
            for (var i = 0; i <= bucketCount; i++)
            {
                cumulative += Interlocked.Read(ref _buckets[i]);
                var le = i < bucketCount ? BucketBounds[i].ToString(CultureInfo.InvariantCulture) : "+Inf";
                text.Append(CultureInfo.InvariantCulture, $"imago_request_duration_seconds_bucket{{action=\"{action}\",le=\"{le}\"}} {cumulative}\n");
            }

            var sum = Interlocked.Read(ref _sumMicroseconds) / 1_000_000.0;
            text.Append(CultureInfo.InvariantCulture, $"imago_request_duration_seconds_sum{{action=\"{action}\"}} {sum}\n");
            text.Append(CultureInfo.InvariantCulture, $"imago_request_duration_seconds_count{{action=\"{action}\"}} {Interlocked.Read(ref _count)}\n");
        }
    }
}
