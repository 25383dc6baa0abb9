namespace Imago.Data.Entities;

/// <summary>
/// Idempotency: the first request with a ClientToken records its parameters' hash and its response; a retry
/// with the same parameters gets the same response, one with different parameters an IdempotentParameterMismatch.
/// Key: (AccountId, Action, Token).
/// </summary>
public sealed class ClientTokenEntity
{
    public long AccountId { get; set; }

    public required string Action { get; set; }

    public required string Token { get; set; }

    public required string ParametersHash { get; set; }

    public required string ResponseJson { get; set; }

    public DateTime CreatedAt { get; set; }
}
