using Imago.Core.Errors;

namespace Imago.Api.Rpc;

/// <summary>Errors of the request pipeline itself (before or around a handler), worded as the real gateway words them.</summary>
public static class RpcErrors
{
    public static EcsException ActionNotFound() =>
        new("InvalidAction.NotFound", "Specified api is not found, please check your url and method.", 404);

    public static EcsException InvalidVersion() =>
        new("InvalidVersion", "Specified parameter Version is not valid.", 400);

    public static EcsException UnsupportedHttpMethod(string method) =>
        new("UnsupportedHTTPMethod", $"The HTTP method \"{EcsErrors.Printable(method)}\" is not supported; use GET or POST.", 403);

    public static EcsException BodyTooLarge(long limit) =>
        new("RequestEntityTooLarge", $"The request body is larger than {limit} bytes.", 413);

    public static EcsException MalformedRequest() =>
        new("InvalidParameter", "The HTTP request is malformed.", 400);

    public static EcsException TooManyParameters(int limit) =>
        new("InvalidParameter", $"The request has more than {limit} parameters.", 400);

    public static EcsException DuplicateParameter(string name) =>
        new("InvalidParameter", $"The specified parameter \"{EcsErrors.Printable(name)}\" is given more than once with different values.", 400);

    public static EcsException InternalError() =>
        new("InternalError", "The request processing has failed due to some unknown error, exception or failure.", 500);
}
