namespace Imago.Data;

/// <summary>The database holds a schema this binary does not know; the message is one line for the operator.</summary>
public sealed class SchemaVersionException(string message) : Exception(message);
