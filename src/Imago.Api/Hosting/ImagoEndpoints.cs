using System.Text;
using Imago.Api.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Imago.Api.Hosting;

/// <summary>The HTTP surface: the ECS RPC endpoint on <c>/</c>, the object API on <c>/oss/</c>, <c>/healthz</c> and <c>/metrics</c> (both unauthenticated).</summary>
public static class ImagoEndpoints
{
    public static WebApplication MapImago(this WebApplication app)
    {
        var rpc = app.Services.GetRequiredService<RpcEndpoint>();
        var metrics = app.Services.GetRequiredService<ApiMetrics>();
        var areaMetrics = app.Services.GetServices<IMetricsSource>().ToList();

        app.MapGet("/healthz", () => Results.Text("{\"status\":\"ok\"}", EcsResponseWriter.JsonContentType, Encoding.UTF8));
        app.MapGet("/metrics", () =>
        {
            var text = new StringBuilder(metrics.Exposition());
            areaMetrics.ForEach(source => source.AppendTo(text));
            return Results.Text(text.ToString(), "text/plain; version=0.0.4; charset=utf-8", Encoding.UTF8);
        });

        // The object API (docs/buckets.md), when the buckets are registered (a protocol-only host has none): every
        // method reaches it, which answers MethodNotAllowed for the ones OSS lacks.
        if (app.Services.GetService<Objects.ObjectEndpoint>() is { } objects)
        {
            app.Map(Objects.ObjectPath.Prefix + "{**target}", objects.HandleAsync);
        }

        // Every method reaches the RPC endpoint, which answers UnsupportedHTTPMethod for all but GET and POST.
        app.Map("/", rpc.HandleAsync);

        // Any other path: the gateway's "api not found" as an ECS error body, not an empty 404.
        app.MapFallback(context => RpcEndpoint.WriteErrorAsync(context, RpcErrors.ActionNotFound(),
            Guid.NewGuid().ToString("D").ToUpperInvariant(), ResponseFormat.Json, context.RequestAborted));
        return app;
    }
}
