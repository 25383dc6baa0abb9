using Imago.Api.Signatures;
using Imago.Core.Accounts;
using Imago.Core.Errors;

namespace Imago.Api.Tests.Protocol;

/// <summary>The authenticator on the published vectors (with the clock set to their signing time) and its nonce cache.</summary>
public sealed class AuthenticatorTests
{
    private sealed class FixedStore(params AccessKeyCredential[] keys) : ICredentialStore
    {
        public Task<AccessKeyCredential?> FindAsync(string accessKeyId, CancellationToken cancellationToken) =>
            Task.FromResult(keys.FirstOrDefault(k => k.AccessKeyId == accessKeyId));
    }

    private static SignedRequest V1VectorRequest() =>
        new("GET", [.. SignatureVectorTests.V1VectorParameters, new("Signature", SignatureVectorTests.V1Signature)], [], _ => [], SignatureV3.EmptyBodyHash);

    private static SignedRequest V3VectorRequest()
    {
        var headers = new Dictionary<string, string>(SignatureVectorTests.V3VectorHeaders, StringComparer.OrdinalIgnoreCase)
        {
            ["Authorization"] = "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature="
                + SignatureVectorTests.V3Signature,
        };
        return new SignedRequest("POST", SignatureVectorTests.V3VectorQuery, [], name => headers.TryGetValue(name, out var v) ? [v] : [], SignatureV3.EmptyBodyHash);
    }

    [Fact]
    public async Task V1VectorAuthenticatesOnceThenItsNonceIsUsed()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.Parse("2016-02-23T12:50:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var authenticator = new RequestAuthenticator(new FixedStore(new AccessKeyCredential("testid", "testsecret", 1, true)), new NonceCache(clock), clock);

        var key = await authenticator.AuthenticateAsync(V1VectorRequest(), CancellationToken.None);
        Assert.Equal(SignatureStyle.V1, key.Style);
        Assert.Equal(1, key.Credential.AccountId);

        var replay = await Assert.ThrowsAsync<EcsException>(() => authenticator.AuthenticateAsync(V1VectorRequest(), CancellationToken.None));
        Assert.Equal(("SignatureNonceUsed", 400), (replay.Code, replay.HttpStatus));
    }

    [Fact]
    public async Task V3VectorAuthenticates()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.Parse("2023-10-26T10:22:40Z", System.Globalization.CultureInfo.InvariantCulture));
        var authenticator = new RequestAuthenticator(new FixedStore(new AccessKeyCredential("YourAccessKeyId", "YourAccessKeySecret", 7, true)), new NonceCache(clock), clock);

        var key = await authenticator.AuthenticateAsync(V3VectorRequest(), CancellationToken.None);
        Assert.Equal(SignatureStyle.V3, key.Style);
        Assert.Equal(7, key.Credential.AccountId);
    }

    [Fact]
    public async Task VectorsOutsideTheWindowAreIllegalTimestamps()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.Parse("2016-02-23T13:01:25Z", System.Globalization.CultureInfo.InvariantCulture));
        var authenticator = new RequestAuthenticator(new FixedStore(new AccessKeyCredential("testid", "testsecret", 1, true)), new NonceCache(clock), clock);
        var error = await Assert.ThrowsAsync<EcsException>(() => authenticator.AuthenticateAsync(V1VectorRequest(), CancellationToken.None));
        Assert.Equal(("IllegalTimestamp", 400), (error.Code, error.HttpStatus));
    }

    [Fact]
    public void NonceCacheForgetsExpiredEntriesAndRefusesWhenFull()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var cache = new NonceCache(clock, capacity: 2);
        var expires = clock.Now.AddMinutes(15);
        Assert.True(cache.TryUse("ak", "n1", expires));
        Assert.False(cache.TryUse("ak", "n1", expires));
        Assert.True(cache.TryUse("other-ak", "n1", expires)); // nonces are per key
        var full = Assert.Throws<EcsException>(() => cache.TryUse("ak", "n2", expires));
        Assert.Equal(("Throttling", 400), (full.Code, full.HttpStatus));

        clock.Now = expires.AddSeconds(59); // still inside the expiry minute: kept
        Assert.False(cache.TryUse("ak", "n1", expires.AddMinutes(15)));

        clock.Now = expires.AddMinutes(1); // the minute has passed: both dropped
        Assert.True(cache.TryUse("ak", "n2", clock.Now.AddMinutes(15)));
        Assert.Equal(1, cache.Count);
        Assert.True(cache.TryUse("ak", "n1", clock.Now.AddMinutes(15)));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void NoncesSignedLaterAreKeptLonger()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch.AddHours(1));
        var cache = new NonceCache(clock);
        // Signed 14 minutes in the future: replayable until 29 minutes from now.
        Assert.True(cache.TryUse("ak", "late", clock.Now.AddMinutes(29)));
        Assert.True(cache.TryUse("ak", "early", clock.Now.AddMinutes(1)));
        clock.Now = clock.Now.AddMinutes(20);
        Assert.False(cache.TryUse("ak", "late", clock.Now.AddMinutes(15)));
        Assert.True(cache.TryUse("ak", "early", clock.Now.AddMinutes(15)));
    }
}
