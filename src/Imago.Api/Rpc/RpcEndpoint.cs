using System.Diagnostics;
using System.Text.Json.Nodes;
using Imago.Api.Signatures;
using Imago.Core;
using Imago.Core.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Imago.Api.Rpc;

/// <summary>
/// The ECS RPC endpoint on <c>/</c>: reads the request (bounded body, query and form merged), authenticates it,
/// dispatches to the action's handler and writes the body (JSON, or XML with <c>Format=XML</c>) with a RequestId;
/// every failure becomes an ECS error body (ecs-api.md 5.1), never an unhandled exception.
/// </summary>
public sealed class RpcEndpoint(
    RequestAuthenticator authenticator,
    ActionDispatcher dispatcher,
    ApiMetrics metrics,
    ILoggerFactory loggerFactory)
{
    /// <summary>ECS requests carry parameters, not payloads; anything bigger is refused before it is buffered.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public const int MaxParameters = 4096;

    public const string RequestIdHeader = "x-acs-request-id";

    private readonly ILogger _log = loggerFactory.CreateLogger(RequestLog.Category);

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = Guid.NewGuid().ToString("D").ToUpperInvariant();
        var cancellationToken = context.RequestAborted;
        context.Response.Headers[RequestIdHeader] = requestId;

        // Everything logged while this request runs (handlers, Core services) carries its RequestId.
        using var scope = _log.BeginScope(new KeyValuePair<string, object>[] { new("RequestId", requestId) });
        var call = new CallState();
        int status;
        string code;
        try
        {
            var body = await HandleCoreAsync(context, requestId, call, cancellationToken).ConfigureAwait(false);
            body.Remove("Code"); // pop-core treats any Code in a body as an error (ecs-api.md 5.2)
            body.Remove("RequestId");
            body.Insert(0, "RequestId", requestId);
            (status, code) = (200, "OK");
            await EcsResponseWriter.WriteAsync(context.Response, status, body, call.Format, call.Action + "Response", cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            (status, code) = (499, "ClientClosedRequest");
        }
        catch (Exception exception)
        {
            var error = ToEcsError(exception, requestId, call.Action);
            (status, code) = (error.HttpStatus, error.Code);
            await TryWriteErrorAsync(context, error, requestId, call.Format, cancellationToken).ConfigureAwait(false);
        }

        var duration = Stopwatch.GetElapsedTime(started);
        metrics.Record(call.KnownAction ?? ApiMetrics.UnknownAction, code, status, duration);
        RequestLog.Completed(_log, requestId, call.Action, call.AccessKeyId ?? "-", call.AccountId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            status, code, Math.Round(duration.TotalMilliseconds, 3), context.Request.Method, call.Style?.ToString() ?? "-");
    }

    /// <summary>Writes the error unless the response is under way or the client has gone (then there is no one to tell).</summary>
    private static async Task TryWriteErrorAsync(HttpContext context, EcsException error, string requestId, ResponseFormat format, CancellationToken cancellationToken)
    {
        if (context.Response.HasStarted || cancellationToken.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await WriteErrorAsync(context, error, requestId, format, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            // The connection broke while the error was written; the log line still records the outcome.
        }
    }

    /// <summary>An ECS error body (also for requests that never reach the RPC pipeline, such as an unknown path).</summary>
    public static Task WriteErrorAsync(HttpContext context, EcsException error, string requestId, ResponseFormat format, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["RequestId"] = requestId,
            ["HostId"] = EcsErrors.Printable(context.Request.Host.Value),
            ["Code"] = error.Code,
            ["Message"] = error.Message,
            ["Recommend"] = $"https://api.aliyun.com/troubleshoot?q={Uri.EscapeDataString(error.Code)}&product=Ecs&requestId={requestId}",
        };
        context.Response.Headers[RequestIdHeader] = requestId;
        return EcsResponseWriter.WriteAsync(context.Response, error.HttpStatus, body, format, "Error", cancellationToken);
    }

    private async Task<JsonObject> HandleCoreAsync(HttpContext context, string requestId, CallState call, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsPost(request.Method))
        {
            throw RpcErrors.UnsupportedHttpMethod(request.Method);
        }

        var body = await RequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        var query = FormUrlEncoded.Parse(request.QueryString.Value.AsSpan());
        var form = RequestBody.IsForm(request.ContentType) ? FormUrlEncoded.Parse(body) : [];
        var parameters = Merge(query, form);
        call.Format = ReadFormat(parameters);

        var signed = new SignedRequest(request.Method, query, form, name => request.Headers[name].OfType<string>().ToArray(),
            SignatureV3.HexSha256(body));
        call.Style = signed.IsV3 ? SignatureStyle.V3 : SignatureStyle.V1;
        var action = signed.IsV3 ? signed.FirstHeader("x-acs-action") : parameters.GetValueOrDefault("Action");
        var version = signed.IsV3 ? signed.FirstHeader("x-acs-version") : parameters.GetValueOrDefault("Version");
        if (string.IsNullOrEmpty(action))
        {
            throw EcsErrors.MissingParameter("Action");
        }

        call.Action = EcsErrors.Printable(action);
        call.KnownAction = dispatcher.Find(action)?.Action;
        if (string.IsNullOrEmpty(version))
        {
            throw EcsErrors.MissingParameter("Version");
        }

        call.AccessKeyId = ClaimedAccessKeyId(signed, parameters);
        var key = await authenticator.AuthenticateAsync(signed, cancellationToken).ConfigureAwait(false);
        call.AccessKeyId = key.Credential.AccessKeyId;
        call.AccountId = key.Credential.AccountId;
        if (version != ProtocolParameters.ApiVersion && dispatcher.Find(action)?.OtherVersions.Contains(version, StringComparer.Ordinal) != true)
        {
            throw RpcErrors.InvalidVersion();
        }

        var handler = dispatcher.Find(action) ?? throw RpcErrors.ActionNotFound();
        var apiParameters = parameters.Where(p => !ProtocolParameters.Names.Contains(p.Key)).ToDictionary(StringComparer.Ordinal);
        RefuseNul(apiParameters);
        var ecsRequest = new EcsRequest(handler.Action, requestId, new Caller(key.Credential.AccountId), new RpcParameters(apiParameters));
        return await handler.HandleAsync(ecsRequest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// No ECS parameter takes U+0000, and PostgreSQL text cannot hold it (Npgsql throws on such a query parameter, a
    /// 500): refused here once for every action rather than in each handler and query.
    /// </summary>
    private static void RefuseNul(Dictionary<string, string> apiParameters)
    {
        foreach (var (name, value) in apiParameters)
        {
            if (name.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
            {
                throw EcsErrors.InvalidParameter(EcsErrors.Printable(name), "It contains a NUL character.");
            }
        }
    }

    /// <summary>The key the request says signed it, for the log line even when authentication fails (an id, not a secret).</summary>
    private static string? ClaimedAccessKeyId(SignedRequest signed, Dictionary<string, string> parameters)
    {
        if (!signed.IsV3)
        {
            return parameters.TryGetValue("AccessKeyId", out var id) ? EcsErrors.Printable(id) : null;
        }

        try
        {
            return EcsErrors.Printable(AuthorizationHeader.Parse(signed.FirstHeader("Authorization")!).Credential);
        }
        catch (EcsException)
        {
            return null; // the authenticator reports the malformed header
        }
    }

    /// <summary>Query then form; a name given twice must carry the same value (a client signs one value per name).</summary>
    private static Dictionary<string, string> Merge(List<KeyValuePair<string, string>> query, List<KeyValuePair<string, string>> form)
    {
        if (query.Count + form.Count > MaxParameters)
        {
            throw RpcErrors.TooManyParameters(MaxParameters);
        }

        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in query.Concat(form))
        {
            if (merged.TryGetValue(name, out var existing) && existing != value)
            {
                throw RpcErrors.DuplicateParameter(name);
            }

            merged[name] = value;
        }

        return merged;
    }

    /// <summary>JSON unless <c>Format=XML</c> (any case); the docs' XML default is not what any SDK expects.</summary>
    private static ResponseFormat ReadFormat(Dictionary<string, string> parameters)
    {
        var format = parameters.GetValueOrDefault("Format");
        return string.IsNullOrEmpty(format) || format.Equals("JSON", StringComparison.OrdinalIgnoreCase) ? ResponseFormat.Json
            : format.Equals("XML", StringComparison.OrdinalIgnoreCase) ? ResponseFormat.Xml
            : throw EcsErrors.InvalidParameter("Format", "Valid values: JSON, XML.");
    }

    private EcsException ToEcsError(Exception exception, string requestId, string action)
    {
        switch (exception)
        {
            case EcsException ecs:
                return ecs;
            case BadHttpRequestException bad:
                // The server rejected the HTTP framing itself (a malformed or oversized chunked body).
                return bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? RpcErrors.BodyTooLarge(MaxBodyBytes) : RpcErrors.MalformedRequest();
            case DbUpdateConcurrencyException:
                // Another request changed the same rows first; the caller retries (no automatic retry: handlers may
                // have side effects in the block store that must not run twice).
                return EcsErrors.Conflict();
            default:
                RequestLog.Unexpected(_log, exception, requestId, action);
                return RpcErrors.InternalError();
        }
    }

    /// <summary>What is known about the call so far, for the error body, the log line and the metrics.</summary>
    private sealed class CallState
    {
        public ResponseFormat Format { get; set; } = ResponseFormat.Json;

        public string Action { get; set; } = "-";

        public string? KnownAction { get; set; }

        public string? AccessKeyId { get; set; }

        public long? AccountId { get; set; }

        public SignatureStyle? Style { get; set; }
    }
}
