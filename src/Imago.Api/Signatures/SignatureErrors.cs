using Imago.Core.Errors;

namespace Imago.Api.Signatures;

/// <summary>The authentication errors of ecs-api.md 5.3, worded as the real gateway words them.</summary>
public static class SignatureErrors
{
    /// <summary>Go's SDK compares the text after "server string to sign is:" with its own string to sign.</summary>
    public const string SignatureMismatchPrefix = "Specified signature is not matched with our calculation. server string to sign is:";

    public static EcsException SignatureDoesNotMatch(string serverStringToSign) =>
        new("SignatureDoesNotMatch", SignatureMismatchPrefix + serverStringToSign, 400);

    public static EcsException ContentHashMismatch() =>
        new("SignatureDoesNotMatch", "The x-acs-content-sha256 header does not match the SHA-256 of the request body.", 400);

    public static EcsException IncompleteSignature(string detail) =>
        new("IncompleteSignature", "The request signature does not conform to Aliyun standards. " + detail, 400);

    public static EcsException AccessKeyNotFound() =>
        new("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 400);

    public static EcsException AccessKeyDisabled() =>
        new("Forbidden.AccessKeyDisabled", "The Access Key is disabled.", 403);

    public static EcsException IllegalTimestamp(string name, string detail) =>
        new("IllegalTimestamp", $"The input parameter \"{name}\" is not valid: {detail}", 400);

    public static EcsException NonceUsed() =>
        new("SignatureNonceUsed", "Specified signature nonce was used already.", 400);

    public static EcsException Throttling() =>
        new("Throttling", "Request was denied due to request throttling.", 400);

    /// <summary>The documented (misspelt) code for a bad SignatureMethod or SignatureVersion.</summary>
    public static EcsException InvalidParamater(string name, string value) =>
        new("InvalidParamater", $"The specified parameter \"{name}\" is not valid: \"{EcsErrors.Printable(value)}\" is not supported.", 400);
}
