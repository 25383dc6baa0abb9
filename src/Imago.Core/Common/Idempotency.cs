using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Imago.Core.Errors;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Common;

/// <summary>
/// ClientToken idempotency for creating actions. The first request with a token records the hash of its
/// parameters and its result in the same transaction as the resources it creates (<see cref="Record{T}"/>);
/// a retry with the same parameters gets the recorded result (<see cref="FindAsync{T}"/>), one with different
/// parameters IdempotentParameterMismatch. Two racing first requests both try to insert the token row: the
/// loser's commit fails on the key, it undoes what it did and answers with the winner's result.
/// </summary>
public static class Idempotency
{
    /// <summary>ECS: "no more than 64 ASCII characters".</summary>
    public const int MaxTokenLength = 64;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>The token when it is well-formed (or null when absent); InvalidParameter otherwise.</summary>
    public static string? Validate(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        return token.Length <= MaxTokenLength && token.All(c => c is >= '!' and <= '~')
            ? token
            : throw EcsErrors.InvalidParameter("ClientToken", $"It must be 1-{MaxTokenLength} printable ASCII characters.");
    }

    /// <summary>A stable hash of the request parameters (serialize them without the token itself).</summary>
    public static string Hash<T>(T parameters) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(parameters, Json))));

    /// <summary>
    /// The result recorded for (caller, action, token), or null when the token is new. Throws
    /// IdempotentParameterMismatch when it was used with other parameters.
    /// </summary>
    public static async Task<T?> FindAsync<T>(ImagoDbContext db, Caller caller, string action, string token, string parametersHash,
        CancellationToken cancellationToken) where T : class
    {
        var entry = await db.ClientTokens.AsNoTracking()
            .FirstOrDefaultAsync(c => c.AccountId == caller.AccountId && c.Action == action && c.Token == token, cancellationToken)
            .ConfigureAwait(false);
        if (entry is null)
        {
            return null;
        }

        if (!string.Equals(entry.ParametersHash, parametersHash, StringComparison.Ordinal))
        {
            throw Mismatch();
        }

        return JsonSerializer.Deserialize<T>(entry.ResponseJson, Json)
            ?? throw new InvalidDataException($"client token {token}: unreadable recorded response");
    }

    /// <summary>Adds the token row to <paramref name="db"/>; it commits with the resources it stands for.</summary>
    public static void Record<T>(ImagoDbContext db, Caller caller, string action, string token, string parametersHash, T result, DateTime now) =>
        db.ClientTokens.Add(new ClientTokenEntity
        {
            AccountId = caller.AccountId,
            Action = action,
            Token = token,
            ParametersHash = parametersHash,
            ResponseJson = JsonSerializer.Serialize(result, Json),
            CreatedAt = now,
        });

    public static EcsException Mismatch() =>
        new("IdempotentParameterMismatch", "The specified parameters are different from before.", 400);
}
