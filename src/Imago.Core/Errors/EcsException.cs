namespace Imago.Core.Errors;

/// <summary>
/// A request the service refuses, with the ECS error code, message and HTTP status that the real service
/// documents for it (../shared/reference/ecs-api.md section 5). Core throws it; the API layer renders it.
/// The status is part of the documented error, not an HTTP concern of Core.
/// </summary>
public sealed class EcsException(string code, string message, int httpStatus = 400) : Exception(message)
{
    public string Code { get; } = code;

    public int HttpStatus { get; } = httpStatus;
}
