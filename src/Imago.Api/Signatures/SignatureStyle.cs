namespace Imago.Api.Signatures;

/// <summary>How a request was signed.</summary>
public enum SignatureStyle
{
    /// <summary>HMAC-SHA1 over the parameters (ecs-api.md 7.2).</summary>
    V1,

    /// <summary>ACS3-HMAC-SHA256 in the Authorization header (ecs-api.md 7.3).</summary>
    V3,
}
