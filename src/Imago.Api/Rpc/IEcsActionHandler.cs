using System.Text.Json.Nodes;

namespace Imago.Api.Rpc;

/// <summary>
/// One ECS action. Handlers are thin: read parameters, call Core, shape the response. They return the response
/// body without RequestId (the pipeline adds it); collections use ECS wrapper objects, built with
/// <see cref="EcsJson"/>. Errors are thrown as <see cref="Imago.Core.Errors.EcsException"/>.
/// Register a handler in DI as <c>IEcsActionHandler</c>; the dispatcher finds it by <see cref="Action"/>.
/// </summary>
public interface IEcsActionHandler
{
    string Action { get; }

    /// <summary>
    /// API versions the action answers besides ECS's 2014-05-26: BSS actions served on this endpoint also take their
    /// own (QueryInstanceBill: 2017-12-14), so BSS's SDK works against it unchanged.
    /// </summary>
    IReadOnlyCollection<string> OtherVersions => [];

    Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken);
}
