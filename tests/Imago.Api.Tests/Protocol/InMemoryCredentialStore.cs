using System.Collections.Concurrent;
using Imago.Core.Accounts;

namespace Imago.Api.Tests.Protocol;

/// <summary>Keys for the protocol tests, without a database.</summary>
public sealed class InMemoryCredentialStore : ICredentialStore
{
    private readonly ConcurrentDictionary<string, AccessKeyCredential> _keys = new(StringComparer.Ordinal);

    public AccessKeyCredential Add(long accountId, bool enabled = true)
    {
        var key = new AccessKeyCredential("LTAI" + Guid.NewGuid().ToString("N")[..20], Guid.NewGuid().ToString("N"), accountId, enabled);
        _keys[key.AccessKeyId] = key;
        return key;
    }

    public Task<AccessKeyCredential?> FindAsync(string accessKeyId, CancellationToken cancellationToken) =>
        Task.FromResult(_keys.GetValueOrDefault(accessKeyId));
}
