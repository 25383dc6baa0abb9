using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Imago.Serve;

/// <summary>
/// TEMPORARY until the protocol pipeline's <c>MapImago</c> (Imago.Api.Hosting) is on main: answers /healthz
/// only. When main brings the real one, the call in <see cref="ImagoHost"/> becomes ambiguous: delete this file.
/// </summary>
internal static class PendingProtocol
{
    public static void MapImago(this WebApplication app) => app.MapGet("/healthz", () => Results.Text("ok"));
}
