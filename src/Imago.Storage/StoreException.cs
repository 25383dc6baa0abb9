namespace Imago.Storage;

/// <summary>A block store operation that cannot be done: unknown or duplicate id, bad size, corrupt record.</summary>
public sealed class StoreException(string message) : Exception(message);
