using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Imago.Core.Errors;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Common;

/// <summary>
/// ClientToken idempotency for create actions (CreateSnapshot, CreateImage): the first request records its
/// parameters' hash and its answer in the same transaction as the resource it creates; a retry with the same
/// parameters gets the same answer, one with other parameters IdempotenceParamNotMatch.
/// </summary>
/// <remarks>Written for the snapshot/image area; merge with the compute area's idempotency helper when both are on main.</remarks>
public sealed class ClientTokenLedger(TimeProvider time)
{
    /// <summary>Tokens are at most 64 ASCII characters.</summary>
    public static string? Check(string? token) =>
        token is null || (token.Length <= 64 && token.All(c => c is > ' ' and < (char)127))
            ? token
            : throw EcsErrors.InvalidParameter("ClientToken", "It must be at most 64 printable ASCII characters.");

    /// <summary>The hash a request is compared by: its parameters as JSON (the token itself excluded by the caller).</summary>
    public static string Hash(object parameters) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(parameters))));

    /// <summary>The earlier answer for this token, null for a new token; a reuse with other parameters throws.</summary>
    public async Task<string?> FindAsync(ImagoDbContext db, Caller caller, string action, string? token, string parametersHash, CancellationToken cancellationToken)
    {
        if (token is null)
        {
            return null;
        }

        var earlier = await db.ClientTokens.AsNoTracking()
            .FirstOrDefaultAsync(c => c.AccountId == caller.AccountId && c.Action == action && c.Token == token, cancellationToken)
            .ConfigureAwait(false);
        if (earlier is null)
        {
            return null;
        }

        return earlier.ParametersHash == parametersHash
            ? earlier.ResponseJson
            : throw new EcsException("IdempotenceParamNotMatch", "Request uses a client token in a previous request but is not identical to that request.", 400);
    }

    /// <summary>Adds the token's record to <paramref name="db"/>'s unit of work (no-op without a token).</summary>
    public void Record(ImagoDbContext db, Caller caller, string action, string? token, string parametersHash, string response)
    {
        if (token is not null)
        {
            db.ClientTokens.Add(new ClientTokenEntity
            {
                AccountId = caller.AccountId,
                Action = action,
                Token = token,
                ParametersHash = parametersHash,
                ResponseJson = response,
                CreatedAt = time.GetUtcNow().UtcDateTime,
            });
        }
    }
}
