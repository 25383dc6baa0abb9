using System.Text.Json.Nodes;
using Imago.Api.Rpc;

namespace Imago.Api.Tests.Protocol;

/// <summary>XML rendering and the metrics exposition, without HTTP.</summary>
public sealed class RenderingTests
{
    [Fact]
    public void XmlEscapesTextAndRendersNullsNumbersAndNestedWrappers()
    {
        var body = new JsonObject
        {
            ["RequestId"] = "R",
            ["Description"] = "a <b> & \"c\"",
            ["Missing"] = null,
            ["Ratio"] = 1.5,
            ["Images"] = EcsJson.Wrap("Image", [new JsonObject { ["Tags"] = EcsJson.Tags([new("k", "v")]) }]),
        };

        var xml = EcsXml.ToDocument("DescribeImagesResponse", body).ToString(System.Xml.Linq.SaveOptions.DisableFormatting);

        Assert.Equal(
            "<DescribeImagesResponse><RequestId>R</RequestId><Description>a &lt;b&gt; &amp; \"c\"</Description><Missing /><Ratio>1.5</Ratio>"
            + "<Images><Image><Tags><Tag><TagKey>k</TagKey><TagValue>v</TagValue></Tag></Tags></Image></Images></DescribeImagesResponse>",
            xml);
    }

    [Fact]
    public void AnEmptyWrapperIsAnEmptyElement()
    {
        var xml = EcsXml.ToDocument("R", new JsonObject { ["Images"] = EcsJson.Wrap("Image", []) }).ToString(System.Xml.Linq.SaveOptions.DisableFormatting);
        Assert.Equal("<R><Images /></R>", xml);
    }

    [Fact]
    public void HistogramBucketsAreCumulative()
    {
        var metrics = new ApiMetrics();
        metrics.Record("DescribeImages", "OK", 200, TimeSpan.FromMilliseconds(3));
        metrics.Record("DescribeImages", "OK", 200, TimeSpan.FromMilliseconds(30));
        metrics.Record("DescribeImages", "InvalidParameter", 400, TimeSpan.FromSeconds(20));

        var text = metrics.Exposition();
        Assert.Contains("imago_requests_total{action=\"DescribeImages\",code=\"OK\",status=\"200\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("imago_requests_total{action=\"DescribeImages\",code=\"InvalidParameter\",status=\"400\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("imago_request_duration_seconds_bucket{action=\"DescribeImages\",le=\"0.0025\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("imago_request_duration_seconds_bucket{action=\"DescribeImages\",le=\"0.005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("imago_request_duration_seconds_bucket{action=\"DescribeImages\",le=\"0.05\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("imago_request_duration_seconds_bucket{action=\"DescribeImages\",le=\"10\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("imago_request_duration_seconds_bucket{action=\"DescribeImages\",le=\"+Inf\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("imago_request_duration_seconds_sum{action=\"DescribeImages\"} 20.033\n", text, StringComparison.Ordinal);
        Assert.Contains("imago_request_duration_seconds_count{action=\"DescribeImages\"} 3\n", text, StringComparison.Ordinal);
    }
}
