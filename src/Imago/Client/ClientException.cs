namespace Imago.Client;

/// <summary>The service refused a client command's call, or its long operation failed: one line with the ECS or OSS code and message.</summary>
public sealed class ClientException(string message) : Exception(message);
