using System.Buffers;

namespace Imago.Storage.Metadata;

/// <summary>Caller-chosen names of volumes and snapshots; they become file names, so only a safe alphabet.</summary>
public static class VersionId
{
    public const int MaxLength = 128;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    public static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxLength && char.IsAsciiLetterOrDigit(id[0])
        && !id.AsSpan().ContainsAnyExcept(Allowed);

    public static string Check(string? id) => IsValid(id)
        ? id!
        : throw new StoreException(
            $"invalid id '{Sanitize(id)}': use 1-{MaxLength} characters from [A-Za-z0-9._-], starting with a letter or digit");

    private static string Sanitize(string? id) =>
        id is null ? "" : new string(id.Take(MaxLength).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
