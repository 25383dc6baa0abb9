using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Imago.Data;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Accounts;

/// <summary>
/// The web console's account passwords (<c>imago admin account set-password</c>). Stored as
/// <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> (base64) on the account; never the password itself. Verification is
/// constant-time and answers the same for an unknown account, a disabled one, no password set or a wrong password.
/// </summary>
public sealed class ConsolePasswords(ImagoDatabase database)
{
    public const int MinLength = 12;
    public const int MaxLength = 128;

    /// <summary>OWASP's 2023 figure for PBKDF2-HMAC-SHA256.</summary>
    private const int Iterations = 600_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    private const string Scheme = "pbkdf2-sha256";

    /// <summary>A hash computed for unknown accounts, so a miss costs as much as a wrong password.</summary>
    private static readonly string DecoyHash = Hash("decoy-password-never-matches");

    public async Task SetAsync(string accountName, string password, CancellationToken cancellationToken)
    {
        if (password.Length is < MinLength or > MaxLength)
        {
            throw new AccountException($"a console password has {MinLength} to {MaxLength} characters");
        }

        await using var db = database.CreateContext();
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Name == accountName, cancellationToken).ConfigureAwait(false)
            ?? throw new AccountException($"no account named '{Errors.EcsErrors.Printable(accountName)}'");
        account.ConsolePasswordHash = Hash(password);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The account id when <paramref name="accountName"/> is an enabled account with this password; else null.</summary>
    public async Task<PasswordSignIn?> VerifyAsync(string accountName, string password, CancellationToken cancellationToken)
    {
        if (accountName.Length is 0 or > MaxLength || password.Length is 0 or > MaxLength)
        {
            return null;
        }

        await using var db = database.CreateContext();
        var account = await db.Accounts.AsNoTracking().Where(a => a.Name == accountName)
            .Select(a => new { a.Id, a.Enabled, a.ConsolePasswordHash })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var stored = account?.ConsolePasswordHash;
        var matches = Matches(stored ?? DecoyHash, password) && stored is not null;
        return matches && account!.Enabled ? new PasswordSignIn(account.Id, Stamp(stored!)) : null;
    }

    /// <summary>
    /// Whether a password session is still good: the account is enabled and its password unchanged (a new password
    /// or a disabled account ends every session at its next request).
    /// </summary>
    public async Task<bool> StillValidAsync(long accountId, string stamp, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var account = await db.Accounts.AsNoTracking().Where(a => a.Id == accountId)
            .Select(a => new { a.Enabled, a.ConsolePasswordHash })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return account is { Enabled: true, ConsolePasswordHash: { } hash } && Stamp(hash) == stamp;
    }

    private static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    private static bool Matches(string stored, string password)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < 1 or > 10_000_000)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>A short fingerprint of the stored hash for the session cookie (not the hash: the cookie is only signed
    /// and encrypted, and need not carry it).</summary>
    private static string Stamp(string storedHash) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(storedHash)))[..16];
}

/// <summary>A successful password sign-in: the account and the stamp its session must keep matching.</summary>
public sealed record PasswordSignIn(long AccountId, string Stamp);
