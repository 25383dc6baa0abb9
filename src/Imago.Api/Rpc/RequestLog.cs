using Microsoft.Extensions.Logging;

namespace Imago.Api.Rpc;

/// <summary>
/// The one structured line per API request. It carries ids, the outcome and the duration — never a secret, a
/// signature, the Authorization header or parameter values.
/// </summary>
public static partial class RequestLog
{
    public const string Category = "Imago.Api.Requests";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "RequestId={RequestId} Action={Action} AccessKeyId={AccessKeyId} AccountId={AccountId} Status={Status} Code={Code} DurationMs={DurationMs} Method={Method} SignedWith={SignatureStyle}")]
    public static partial void Completed(ILogger logger, string requestId, string action, string accessKeyId, string accountId,
        int status, string code, double durationMs, string method, string signatureStyle);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "RequestId={RequestId} Action={Action} failed with an unexpected exception")]
    public static partial void Unexpected(ILogger logger, Exception exception, string requestId, string action);
}
