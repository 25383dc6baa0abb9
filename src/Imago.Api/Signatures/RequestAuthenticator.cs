using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Imago.Core.Accounts;
using Imago.Core.Errors;

namespace Imago.Api.Signatures;

/// <summary>
/// Checks a request's V1 or V3 signature (ecs-api.md 7.2, 7.3) against the key the credential store holds, the
/// signed time against a ±15 minute window, and the nonce against replays. The order is the gateway's: required
/// parts present, algorithm supported, time in the window, key known and enabled, signature right, and only then
/// the nonce recorded (so a forged request cannot burn someone else's nonce).
/// </summary>
public sealed class RequestAuthenticator(ICredentialStore credentials, NonceCache nonces, TimeProvider time)
{
    /// <summary>How far the signed time may be from the server's clock, either way.</summary>
    public static readonly TimeSpan TimestampWindow = TimeSpan.FromMinutes(15);

    /// <summary>Real nonces are UUIDs or 32 hex digits; longer ones would only bloat the nonce cache.</summary>
    public const int MaxNonceLength = 128;

    private static readonly string[] TimestampFormats = ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];

    /// <summary>The headers a V3 signature must cover, or the unsigned ones could be changed in flight.</summary>
    private static readonly string[] RequiredSignedHeaders =
        ["host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"];

    public Task<AuthenticatedKey> AuthenticateAsync(SignedRequest request, CancellationToken cancellationToken) =>
        request.IsV3 ? AuthenticateV3Async(request, cancellationToken) : AuthenticateV1Async(request, cancellationToken);

    private async Task<AuthenticatedKey> AuthenticateV1Async(SignedRequest request, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.AllParameters)
        {
            parameters[name] = value;
        }

        string Require(string name) =>
            parameters.TryGetValue(name, out var value) && value.Length > 0 ? value : throw EcsErrors.MissingParameter(name);

        var accessKeyId = Require("AccessKeyId");
        var signature = Require(SignatureV1.SignatureParameter);
        var method = Require("SignatureMethod");
        var version = Require("SignatureVersion");
        var timestamp = Require("Timestamp");
        var nonce = Require("SignatureNonce");
        if (method != "HMAC-SHA1")
        {
            throw SignatureErrors.InvalidParamater("SignatureMethod", method);
        }

        if (version != "1.0")
        {
            throw SignatureErrors.InvalidParamater("SignatureVersion", version);
        }

        if (parameters.TryGetValue("SignatureType", out var signatureType) && signatureType.Length > 0)
        {
            throw EcsErrors.InvalidParameter("SignatureType", "Only AccessKey signatures are supported.");
        }

        CheckNonceShape("SignatureNonce", nonce);
        var signedAt = CheckTime("Timestamp", timestamp);
        var credential = await FindEnabledKeyAsync(accessKeyId, cancellationToken).ConfigureAwait(false);

        // Each name once: a client signs a map, even when (like the Go SDK) it splits it between query and body.
        var stringToSign = SignatureV1.StringToSign(request.Method, parameters);
        var expected = SignatureV1.Sign(credential.Secret, stringToSign);
        if (!FixedTimeEquals(expected, signature))
        {
            throw SignatureErrors.SignatureDoesNotMatch(stringToSign);
        }

        UseNonce(accessKeyId, nonce, signedAt);
        return new AuthenticatedKey(credential, SignatureStyle.V1);
    }

    private async Task<AuthenticatedKey> AuthenticateV3Async(SignedRequest request, CancellationToken cancellationToken)
    {
        var authorization = AuthorizationHeader.Parse(request.FirstHeader("Authorization")!);
        if (authorization.Algorithm != SignatureV3.Algorithm)
        {
            throw SignatureErrors.InvalidParamater("SignatureMethod", authorization.Algorithm);
        }

        string RequireHeader(string name) =>
            request.FirstHeader(name) is { Length: > 0 } value ? value : throw EcsErrors.MissingParameter(name);

        var date = RequireHeader("x-acs-date");
        var nonce = RequireHeader("x-acs-signature-nonce");
        var contentHash = RequireHeader("x-acs-content-sha256");
        var required = request.Form.Count > 0 ? RequiredSignedHeaders.Append("content-type") : RequiredSignedHeaders;
        var missing = required.Where(h => !authorization.SignedHeaders.Contains(h)).ToList();
        if (missing.Count > 0)
        {
            throw SignatureErrors.IncompleteSignature($"SignedHeaders must include {string.Join(";", missing)}.");
        }

        CheckNonceShape("x-acs-signature-nonce", nonce);
        var signedAt = CheckTime("x-acs-date", date);
        if (!string.Equals(contentHash, request.BodySha256, StringComparison.OrdinalIgnoreCase))
        {
            throw SignatureErrors.ContentHashMismatch();
        }

        var credential = await FindEnabledKeyAsync(authorization.Credential, cancellationToken).ConfigureAwait(false);
        var canonicalRequest = SignatureV3.CanonicalRequest(request.Method, request.Query, authorization.SignedHeaders, request.Header, contentHash);
        var stringToSign = SignatureV3.StringToSign(canonicalRequest);
        var expected = SignatureV3.Sign(credential.Secret, stringToSign);
        if (!FixedTimeEquals(expected, authorization.Signature.ToLowerInvariant()))
        {
            throw SignatureErrors.SignatureDoesNotMatch(stringToSign + "\nserver canonical request is:\n" + canonicalRequest);
        }

        UseNonce(credential.AccessKeyId, nonce, signedAt);
        return new AuthenticatedKey(credential, SignatureStyle.V3);
    }

    private async Task<AccessKeyCredential> FindEnabledKeyAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        var credential = await credentials.FindAsync(accessKeyId, cancellationToken).ConfigureAwait(false)
            ?? throw SignatureErrors.AccessKeyNotFound();
        return credential.Enabled ? credential : throw SignatureErrors.AccessKeyDisabled();
    }

    private DateTimeOffset CheckTime(string name, string text)
    {
        if (!DateTimeOffset.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
        {
            throw SignatureErrors.IllegalTimestamp(name, "use yyyy-MM-ddTHH:mm:ssZ in UTC.");
        }

        var now = time.GetUtcNow();
        if ((signedAt - now).Duration() > TimestampWindow)
        {
            throw SignatureErrors.IllegalTimestamp(name,
                $"it is more than {TimestampWindow.TotalMinutes:0} minutes from the server time {now.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}.");
        }

        return signedAt;
    }

    private static void CheckNonceShape(string name, string nonce)
    {
        if (nonce.Length > MaxNonceLength)
        {
            throw EcsErrors.InvalidParameter(name, $"It is longer than {MaxNonceLength} characters.");
        }
    }

    private void UseNonce(string accessKeyId, string nonce, DateTimeOffset signedAt)
    {
        // A replay is refused by the timestamp check once signedAt + window has passed; until then, by this cache.
        if (!nonces.TryUse(accessKeyId, nonce, signedAt + TimestampWindow))
        {
            throw SignatureErrors.NonceUsed();
        }
    }

    private static bool FixedTimeEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));
}
