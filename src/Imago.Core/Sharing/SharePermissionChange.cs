namespace Imago.Core.Sharing;

/// <summary>
/// What ModifyImageSharePermission asks: accounts to add and remove, as sent (<c>AddAccount.N</c> values keyed by
/// their parameter name, so errors can name the one at fault), and <c>IsPublic</c> when given.
/// </summary>
public sealed record SharePermissionChange(
    IReadOnlyList<KeyValuePair<string, string>> AddAccounts,
    IReadOnlyList<KeyValuePair<string, string>> RemoveAccounts,
    bool? IsPublic = null);

/// <summary>One account an image is shared with.</summary>
public sealed record ImageShareView(long AccountId, DateTime SharedAt);

/// <summary>A page of DescribeImageSharePermission.</summary>
public sealed record ImageSharePage(IReadOnlyList<ImageShareView> Accounts, int TotalCount, int PageNumber, int PageSize);
