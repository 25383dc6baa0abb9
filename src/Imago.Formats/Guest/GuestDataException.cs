namespace Imago.Formats.Guest;

/// <summary>
/// The disk's contents are not what they claim (an offset out of range, a loop, a size over the budget). Detection
/// catches it and records what it could not read as unknown: a guest disk is untrusted input, never an error.
/// </summary>
public sealed class GuestDataException(string message) : Exception(message);
