using Imago.Core.Buckets;

namespace Imago.Api.Objects;

/// <summary>The object API's errors, with the codes and statuses OSS answers them with.</summary>
public static class OssErrors
{
    public static OssException NoSuchBucket(string bucket) => new("NoSuchBucket", $"The specified bucket '{bucket}' does not exist.", 404);

    public static OssException NoSuchKey() => new("NoSuchKey", "The specified key does not exist.", 404);

    public static OssException AccessDenied(string why) => new("AccessDenied", why, 403);

    public static OssException SignatureDoesNotMatch(string stringToSign) =>
        new("SignatureDoesNotMatch", $"The request signature we calculated does not match the signature you provided. String to sign: {Quote(stringToSign)}", 403);

    public static OssException InvalidAccessKeyId() => new("InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records or is disabled.", 403);

    public static OssException RequestTimeTooSkewed(string serverTime) =>
        new("RequestTimeTooSkewed", $"The difference between the request time and the server's time ({serverTime}) is too large.", 403);

    public static OssException InvalidDigest() => new("InvalidDigest", "The Content-MD5 you specified is not valid or does not match the content.", 400);

    public static OssException InvalidRange() => new("InvalidRange", "The requested range cannot be satisfied.", 416);

    public static OssException InvalidArgument(string why) => new("InvalidArgument", why, 400);

    public static OssException MethodNotAllowed() => new("MethodNotAllowed", "The specified method is not allowed against this resource.", 405);

    public static OssException BucketAlreadyExists(string bucket) =>
        new("BucketAlreadyExists", $"The requested bucket name '{bucket}' is not available.", 409);

    /// <summary>The bucket store's refusals in OSS's words; another account's bucket already came back as missing.</summary>
    public static OssException From(BucketException error, string bucket) => error.Code switch
    {
        "InvalidOSSBucket.NotFound" or "InvalidRegionId.NotFound" => NoSuchBucket(bucket),
        "InvalidOSSObject.NotFound" => NoSuchKey(),
        "InvalidBucketName" => new("InvalidBucketName", error.Message, 400),
        "InvalidObjectName" => new("InvalidObjectName", error.Message, 400),
        "BucketAlreadyExists" => BucketAlreadyExists(bucket),
        "BucketNotEmpty" => new("BucketNotEmpty", "The bucket you tried to delete is not empty.", 409),
        "AccessDenied" => AccessDenied(error.Message),
        "InvalidParameter" => InvalidArgument(error.Message),
        _ => new(error.Code, error.Message, error.HttpStatus),
    };

    /// <summary>The string to sign holds newlines: shown escaped so the message stays one line.</summary>
    private static string Quote(string text) => text.Replace("\n", "\\n", StringComparison.Ordinal);
}
