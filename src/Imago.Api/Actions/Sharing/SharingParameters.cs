using System.Globalization;
using Imago.Api.Rpc;
using Imago.Core.Errors;

namespace Imago.Api.Actions.Sharing;

/// <summary>The sharing actions' repeat lists (<c>AddAccount.N</c>, <c>RemoveGroup.N</c>, ...), keyed by parameter name.</summary>
internal static class SharingParameters
{
    /// <summary>Accounts (or groups) one call may name per list (ecs-api.md 3.9).</summary>
    public const int MaxPerCall = 10;

    /// <summary>
    /// The non-empty <c>Name.1</c> … <c>Name.10</c>, in N order, each with its parameter name so errors can name it.
    /// An N above 10 is refused (InvalidParameter) rather than the real service's "first 10 processed", so no
    /// account is silently left out; nothing is applied then.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Named(RpcParameters p, string name)
    {
        var prefix = name + ".";
        var items = new List<(int Index, string Key, string Value)>();
        foreach (var (key, value) in p.Values)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || value.Length == 0
                || !int.TryParse(key.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index < 1)
            {
                continue;
            }

            if (index > MaxPerCall)
            {
                throw EcsErrors.InvalidParameter(EcsErrors.Printable(key), $"At most {MaxPerCall} values are allowed per call.");
            }

            items.Add((index, key, value));
        }

        return [.. items.OrderBy(i => i.Index).ThenBy(i => i.Key, StringComparer.Ordinal).Select(i => new KeyValuePair<string, string>(i.Key, i.Value))];
    }
}
