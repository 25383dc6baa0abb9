namespace Imago.Api.Rpc;

/// <summary>The common (protocol) parameters of ecs-api.md 7.1, which action handlers never see.</summary>
public static class ProtocolParameters
{
    public const string ApiVersion = "2014-05-26";

    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "Action", "Version", "Format", "AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion",
        "SignatureNonce", "SignatureType", "Timestamp", "SecurityToken",
    };
}
