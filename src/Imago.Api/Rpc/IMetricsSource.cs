using System.Text;

namespace Imago.Api.Rpc;

/// <summary>An area's own series on /metrics (Prometheus text format), appended after the request metrics.</summary>
public interface IMetricsSource
{
    void AppendTo(StringBuilder text);
}
