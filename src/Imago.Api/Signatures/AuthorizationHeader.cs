namespace Imago.Api.Signatures;

/// <summary>
/// <c>Authorization: ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-action;...,Signature=hex</c>, parsed.
/// </summary>
public sealed record AuthorizationHeader(string Algorithm, string Credential, IReadOnlyList<string> SignedHeaders, string Signature)
{
    /// <exception cref="Imago.Core.Errors.EcsException">IncompleteSignature when a part is missing or malformed.</exception>
    public static AuthorizationHeader Parse(string value)
    {
        var space = value.IndexOf(' ');
        if (space <= 0)
        {
            throw SignatureErrors.IncompleteSignature("The Authorization header has no credential.");
        }

        var algorithm = value[..space];
        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in value[(space + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                throw SignatureErrors.IncompleteSignature("The Authorization header is malformed.");
            }

            var field = part[..eq].Trim();
            var text = part[(eq + 1)..].Trim();
            switch (field)
            {
                case "Credential": credential = text; break;
                case "SignedHeaders": signedHeaders = text; break;
                case "Signature": signature = text; break;
                default: break;
            }
        }

        if (string.IsNullOrEmpty(credential) || string.IsNullOrEmpty(signedHeaders) || string.IsNullOrEmpty(signature))
        {
            throw SignatureErrors.IncompleteSignature("The Authorization header needs Credential, SignedHeaders and Signature.");
        }

        var headers = signedHeaders.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(h => h.ToLowerInvariant()).ToArray();
        return new AuthorizationHeader(algorithm, credential, headers, signature);
    }
}
