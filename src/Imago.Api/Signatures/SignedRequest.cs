namespace Imago.Api.Signatures;

/// <summary>What signature checking needs from an HTTP request, independent of ASP.NET.</summary>
/// <param name="Method">The HTTP method as sent (GET, POST).</param>
/// <param name="Query">Decoded query parameters in the order sent.</param>
/// <param name="Form">Decoded form-body parameters (empty unless the body is form-urlencoded).</param>
/// <param name="Header">The values of a header by (case-insensitive) name; empty when absent.</param>
/// <param name="BodySha256">Lower-case hex SHA-256 of the body bytes as received.</param>
public sealed record SignedRequest(
    string Method,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    IReadOnlyList<KeyValuePair<string, string>> Form,
    Func<string, IReadOnlyList<string>> Header,
    string BodySha256)
{
    /// <summary>Query and form, as V1 signs them.</summary>
    public IEnumerable<KeyValuePair<string, string>> AllParameters => Query.Concat(Form);

    public string? FirstHeader(string name) => Header(name) is [var first, ..] ? first : null;

    /// <summary>True when the request carries an <c>Authorization: ACS3-...</c> header (signature V3).</summary>
    public bool IsV3 => FirstHeader("Authorization")?.StartsWith("ACS3-", StringComparison.Ordinal) == true;
}
