using Imago.Core.Accounts;

namespace Imago.Api.Signatures;

/// <summary>A request whose signature checked out: the key that signed it.</summary>
public sealed record AuthenticatedKey(AccessKeyCredential Credential, SignatureStyle Style);
