namespace Imago.Cli;

/// <summary>The command line itself is wrong (unknown option, missing argument). The message is one line for the user.</summary>
public sealed class UsageException(string message) : Exception(message);
