using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Imago.Api.Tests.Protocol;

/// <summary>Echoes the parameters and caller a handler receives, plus a nested body for the XML shape tests.</summary>
internal sealed class EchoHandler : IEcsActionHandler
{
    public string Action => "TestEcho";

    public Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var parameters = new JsonObject();
        foreach (var (name, value) in request.Parameters.Values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            parameters[name] = value;
        }

        return Task.FromResult(new JsonObject
        {
            ["AccountId"] = request.Caller.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Action"] = request.Action,
            ["HandlerRequestId"] = request.RequestId,
            ["Parameters"] = parameters,
            ["Count"] = 2,
            ["Flag"] = true,
            ["Images"] = EcsJson.Wrap("Image", [new JsonObject { ["ImageId"] = "m-1", ["Size"] = 40 }, new JsonObject { ["ImageId"] = "m-2", ["Size"] = 20 }]),
            ["InstanceIdSets"] = EcsJson.Wrap("InstanceIdSet", ["i-1", "i-2"]),
        });
    }
}

/// <summary>Fails the way a bug would: the pipeline must answer InternalError and log the stack trace.</summary>
internal sealed class FailingHandler : IEcsActionHandler
{
    public string Action => "TestFail";

    public Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("deliberate test failure");
}

/// <summary>Loses an optimistic-concurrency race: the pipeline must answer OperationConflict.</summary>
internal sealed class ConflictHandler : IEcsActionHandler
{
    public string Action => "TestConflict";

    public Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken) =>
        throw new DbUpdateConcurrencyException("row changed");
}

/// <summary>A handler that (wrongly) puts Code in a success body: the pipeline strips it for pop-core.</summary>
internal sealed class CodeInBodyHandler : IEcsActionHandler
{
    public string Action => "TestCodeInBody";

    public Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new JsonObject { ["Code"] = "200", ["Value"] = "x" });
}

/// <summary>Logs from inside a handler: the line must carry the request's RequestId scope.</summary>
internal sealed partial class LoggingHandler(ILogger<LoggingHandler> log) : IEcsActionHandler
{
    public string Action => "TestLog";

    public Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        HandlerRan(log);
        return Task.FromResult(new JsonObject());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "the test handler ran")]
    private static partial void HandlerRan(ILogger logger);
}
