namespace Imago.Cli;

/// <summary>Where a command writes. Tests pass string writers; the program passes the real console.</summary>
/// <param name="ErrorIsTerminal">Whether stderr is a terminal (progress bar) or a file/pipe (progress lines).</param>
public sealed record CommandConsole(TextWriter Out, TextWriter Error, bool ErrorIsTerminal = false);
