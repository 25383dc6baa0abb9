namespace Imago.Core.Buckets;

/// <summary>
/// A refusal of the bucket store: one line, with the code the API will answer (OSS-style names where ECS
/// documents them for ImportImage/ExportImage: InvalidOSSBucket.NotFound, InvalidOSSObject.NotFound) and its HTTP status.
/// </summary>
public sealed class BucketException(string code, string message, int httpStatus) : Exception(message)
{
    public string Code { get; } = code;

    public int HttpStatus { get; } = httpStatus;

    public static BucketException BucketNotFound(string region, string bucket) =>
        new("InvalidOSSBucket.NotFound", $"bucket '{bucket}' does not exist in region {region}", 404);

    public static BucketException ObjectNotFound(string bucket, string key) =>
        new("InvalidOSSObject.NotFound", $"object '{Printable(key)}' does not exist in bucket '{bucket}'", 404);

    public static BucketException BucketExists(string region, string bucket) =>
        new("BucketAlreadyExists", $"bucket '{bucket}' already exists in region {region}", 409);

    public static BucketException BucketNotEmpty(string bucket) =>
        new("BucketNotEmpty", $"bucket '{bucket}' is not empty: delete its objects first", 409);

    public static BucketException InvalidBucketName(string bucket) =>
        new("InvalidBucketName", $"'{Printable(bucket)}' is not a bucket name: 3-63 characters from lower-case letters, digits "
            + "and hyphens, starting and ending with a letter or digit", 400);

    public static BucketException InvalidObjectName(string key, string why) =>
        new("InvalidObjectName", $"'{Printable(key)}' is not an object key: {why}", 400);

    public static BucketException InvalidRegion(string region) =>
        new("InvalidRegionId.NotFound", $"'{Printable(region)}' is not a region id (lower-case letters, digits and dashes, like cn-hangzhou)", 404);

    public static BucketException AccessDenied(string bucket) =>
        new("AccessDenied", $"bucket '{bucket}' is the operator's: only the operator can delete it", 403);

    public static BucketException InvalidArgument(string what) => new("InvalidParameter", what, 400);

    public static BucketException Corrupt(string bucket, string key, string why) =>
        new("InternalError", $"object '{Printable(key)}' in bucket '{bucket}' is damaged: {why}", 500);

    /// <summary>Keys are arbitrary text: never echo control characters or unbounded length into a message.</summary>
    public static string Printable(string value) => Errors.EcsErrors.Printable(value);
}
