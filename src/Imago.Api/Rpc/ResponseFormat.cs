namespace Imago.Api.Rpc;

/// <summary>The body format a caller asked for with <c>Format</c> (JSON when absent, see docs/api.md).</summary>
public enum ResponseFormat
{
    Json,
    Xml,
}
