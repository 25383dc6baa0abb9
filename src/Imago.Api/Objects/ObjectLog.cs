using Microsoft.Extensions.Logging;

namespace Imago.Api.Objects;

/// <summary>One line per object API request: no path, query or header, so no key, signature or secret reaches the log.</summary>
internal static partial class ObjectLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "oss request {RequestId} {Method} key={AccessKeyId} status={Status} code={Code}")]
    public static partial void Completed(ILogger logger, string requestId, string method, string accessKeyId, int status, string code);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "oss request {RequestId} failed")]
    public static partial void Failed(ILogger logger, string requestId, Exception exception);
}
