namespace Imago.Api.Objects;

/// <summary>An object API refusal: OSS's error code, a one-line message and OSS's HTTP status for it.</summary>
public sealed class OssException(string code, string message, int status) : Exception(message)
{
    public string Code { get; } = code;

    public int Status { get; } = status;
}
