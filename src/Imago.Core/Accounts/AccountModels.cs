namespace Imago.Core.Accounts;

/// <summary>
/// What <c>imago admin account create</c> prints: the only time the secret is shown. (The command prints
/// AccountId as a JSON string: 16-digit ids exceed JavaScript's exact integer range, 2^53.)
/// </summary>
public sealed record NewAccount(long AccountId, string AccessKeyId, string AccessKeySecret)
{
    public override string ToString() => $"NewAccount {{ AccountId = {AccountId}, AccessKeyId = {AccessKeyId} }}";
}

/// <summary>A new AccessKey of an existing account (<c>imago admin key add</c>); the only time the secret is shown.</summary>
public sealed record NewAccessKey(long AccountId, string AccessKeyId, string AccessKeySecret)
{
    public override string ToString() => $"NewAccessKey {{ AccountId = {AccountId}, AccessKeyId = {AccessKeyId} }}";
}

/// <summary>An account as <c>account list</c> shows it, with its keys (ids and status only).</summary>
public sealed record AccountSummary(long AccountId, string Name, bool Enabled, DateTime CreatedAt, IReadOnlyList<AccessKeySummary> AccessKeys);

public sealed record AccessKeySummary(string AccessKeyId, string Status, DateTime CreatedAt);

/// <summary>AccessKey statuses, in the RAM console's words.</summary>
public static class AccessKeyStatuses
{
    public const string Active = "Active";
    public const string Inactive = "Inactive";
}
