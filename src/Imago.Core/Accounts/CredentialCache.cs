using System.Collections.Concurrent;

namespace Imago.Core.Accounts;

/// <summary>
/// Keeps recently used credentials for <see cref="Lifetime"/> so that a burst of requests does not read and
/// decrypt the same key each time. Bounded: past <see cref="Capacity"/> entries it starts over. Changes made
/// in this process (<see cref="AccountService"/>) clear it at once; changes made by another process
/// (<c>imago admin</c> next to a running serve) take effect within <see cref="Lifetime"/>.
/// </summary>
public sealed class CredentialCache(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    public const int Capacity = 4096;

    private readonly ConcurrentDictionary<string, (AccessKeyCredential Credential, long Expires)> _entries = new(StringComparer.Ordinal);

    public AccessKeyCredential? Find(string accessKeyId) =>
        _entries.TryGetValue(accessKeyId, out var entry) && time.GetTimestamp() < entry.Expires ? entry.Credential : null;

    public void Add(AccessKeyCredential credential)
    {
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        var expires = time.GetTimestamp() + (long)(Lifetime.TotalSeconds * time.TimestampFrequency);
        _entries[credential.AccessKeyId] = (credential, expires);
    }

    /// <summary>Forgets everything: called after any account or key change.</summary>
    public void Clear() => _entries.Clear();
}
