namespace Imago.Cli;

/// <summary>Turns any failure into the one line on stderr the user sees ("imago: ..."), never a stack trace.</summary>
public static class ErrorReporter
{
    /// <summary>Exit code after Ctrl+C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int CancelledExitCode = 130;

    public static async Task<int> ReportAsync(CommandConsole console, Exception exception, int errorExitCode)
    {
        var (message, exitCode) = exception switch
        {
            OperationCanceledException => ("cancelled", CancelledExitCode),
            Imago.Formats.ImageFormatException e => (e.Message, errorExitCode),
            UsageException e => (e.Message, errorExitCode),
            Imago.Client.ClientException e => (e.Message, errorExitCode),

            // The block store's own refusals (unknown id, store in use, damaged chunk) are answers, not internal errors.
            Imago.Storage.StoreException e => (e.Message, errorExitCode),
            Imago.Storage.Chunks.ChunkCorruptException e => (e.Message, errorExitCode),
            FileNotFoundException { FileName: { } name } => ($"could not open '{name}': No such file or directory", errorExitCode),
            DirectoryNotFoundException e => (e.Message, errorExitCode),
            UnauthorizedAccessException e => (e.Message, errorExitCode),
            IOException e => (e.Message, errorExitCode),
            _ => ($"internal error: {exception.GetType().Name}: {exception.Message}", errorExitCode),
        };

        await console.Error.WriteLineAsync("imago: " + OneLine(message)).ConfigureAwait(false);
        return exitCode;
    }

    private static string OneLine(string message) =>
        message.ReplaceLineEndings(" ").Trim();
}
