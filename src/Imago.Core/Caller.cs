namespace Imago.Core;

/// <summary>Who is asking: the authenticated account. Every Core operation is scoped by it.</summary>
public sealed record Caller(long AccountId);
