using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Imago.Core.Buckets;
using Microsoft.AspNetCore.Http;

namespace Imago.Api.Objects;

/// <summary>The object API's XML bodies, shaped as OSS's: Error, ListBucketResult.</summary>
public static class OssXml
{
    public const string ContentType = "application/xml";

    public static XDocument Error(OssException error, string requestId) => new(new XDeclaration("1.0", "UTF-8", null),
        new XElement("Error",
            new XElement("Code", error.Code),
            new XElement("Message", error.Message),
            new XElement("RequestId", requestId)));

    public static XDocument ListBucketResult(string bucket, string? prefix, string? marker, int maxKeys, ObjectListing listing, long? ownerAccountId) =>
        new(new XDeclaration("1.0", "UTF-8", null),
            new XElement("ListBucketResult",
                new XElement("Name", bucket),
                new XElement("Prefix", prefix ?? ""),
                new XElement("Marker", marker ?? ""),
                new XElement("MaxKeys", maxKeys),
                new XElement("Delimiter", ""),
                new XElement("IsTruncated", listing.IsTruncated ? "true" : "false"),
                listing.NextMarker is { } next ? new XElement("NextMarker", next) : null,
                listing.Objects.Select(o => new XElement("Contents",
                    new XElement("Key", o.Key),
                    new XElement("LastModified", Iso(o.LastModified)),
                    new XElement("ETag", Quoted(o.ETag)),
                    new XElement("Type", o.ObjectType),
                    new XElement("Size", o.Size),
                    new XElement("StorageClass", "Standard"),
                    new XElement("Owner",
                        new XElement("ID", ownerAccountId?.ToString(CultureInfo.InvariantCulture) ?? ""),
                        new XElement("DisplayName", ownerAccountId?.ToString(CultureInfo.InvariantCulture) ?? ""))))));

    /// <summary>ListBuckets (GetService) of one region: Owner, then Buckets.Bucket[] with Name, Region, CreationDate.</summary>
    public static XDocument ListAllMyBucketsResult(long accountId, IEnumerable<BucketInfo> buckets)
    {
        var owner = accountId.ToString(CultureInfo.InvariantCulture);
        return new(new XDeclaration("1.0", "UTF-8", null),
            new XElement("ListAllMyBucketsResult",
                new XElement("Owner", new XElement("ID", owner), new XElement("DisplayName", owner)),
                new XElement("Buckets", buckets.Select(b => new XElement("Bucket",
                    new XElement("CreationDate", Iso(b.CreationTime)),
                    new XElement("Location", "oss-" + b.Region),
                    new XElement("Name", b.Name),
                    new XElement("Region", b.Region),
                    new XElement("StorageClass", "Standard"))))));
    }

    public static string Quoted(string etag) => "\"" + etag + "\"";

    public static string Iso(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static async Task WriteAsync(HttpResponse response, int status, XDocument document, CancellationToken cancellationToken)
    {
        // Keys may hold characters XML 1.0 cannot carry (control characters): written checked-off, never a 500.
        var settings = new System.Xml.XmlWriterSettings { Encoding = new UTF8Encoding(false), CheckCharacters = false, Async = true };
        using var buffer = new MemoryStream();
        await using (var writer = System.Xml.XmlWriter.Create(buffer, settings))
        {
            await document.SaveAsync(writer, cancellationToken).ConfigureAwait(false);
        }

        response.StatusCode = status;
        response.ContentType = ContentType;
        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken).ConfigureAwait(false);
    }
}
