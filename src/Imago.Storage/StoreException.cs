namespace Imago.Storage;

/// <summary>A block store operation that cannot be done: unknown or duplicate id, bad size, corrupt record, a stopped store.</summary>
public sealed class StoreException : Exception
{
    public StoreException(string message)
        : base(message)
    {
    }

    public StoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
