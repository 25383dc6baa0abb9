using System.Globalization;
using Imago.Cli;

namespace Imago.Client;

/// <summary>
/// Where and as whom the client commands call: <c>--endpoint</c> / IMAGO_ENDPOINT (<c>http://host:port</c>, or
/// <c>host:port</c>), <c>--access-key-id</c> / IMAGO_ACCESS_KEY_ID, <c>--access-key-secret</c> /
/// IMAGO_ACCESS_KEY_SECRET, <c>--region</c> / IMAGO_REGION (default cn-hangzhou); how they wait:
/// <c>--interval SECONDS</c> between polls (default 2), <c>--timeout SECONDS</c> (default 86400); <c>-p</c> prints
/// progress lines when stderr is not a terminal. The secret is only ever used to sign: never printed.
/// </summary>
public sealed record ClientSettings(Uri Endpoint, string AccessKeyId, string AccessKeySecret, string Region, bool ShowProgress,
    TimeSpan PollInterval, TimeSpan Timeout)
{
    public const string DefaultRegion = "cn-hangzhou";

    public static readonly string[] ValueOptions = ["--endpoint", "--access-key-id", "--access-key-secret", "--region", "--interval", "--timeout"];

    public static readonly string[] Flags = ["-p"];

    public static string Usage => "[--endpoint URL] [--access-key-id ID] [--access-key-secret SECRET] [--region R] [--interval S] [--timeout S] [-p]";

    public static ClientSettings From(ParsedOptions options, CommandConsole console, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string Setting(string option, string variable) =>
            options.Value(option) ?? (environment(variable) is { Length: > 0 } value ? value : null)
            ?? throw new UsageException($"{option} or {variable} is required");

        var endpointText = Setting("--endpoint", "IMAGO_ENDPOINT");
        if (!endpointText.Contains("://", StringComparison.Ordinal))
        {
            endpointText = "http://" + endpointText;
        }

        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--endpoint '{endpointText}' is not an http(s) URL");
        }

        var region = options.Value("--region") ?? (environment("IMAGO_REGION") is { Length: > 0 } r ? r : DefaultRegion);
        return new ClientSettings(new Uri(endpoint.GetLeftPart(UriPartial.Authority) + "/"), Setting("--access-key-id", "IMAGO_ACCESS_KEY_ID"),
            Setting("--access-key-secret", "IMAGO_ACCESS_KEY_SECRET"), region, console.ErrorIsTerminal || options.Has("-p"),
            Seconds(options, "--interval", 2), Seconds(options, "--timeout", 86400));
    }

    /// <summary>Never the secret.</summary>
    public override string ToString() => $"ClientSettings {{ Endpoint = {Endpoint}, AccessKeyId = {AccessKeyId}, Region = {Region} }}";

    private static TimeSpan Seconds(ParsedOptions options, string name, double fallback)
    {
        if (options.Value(name) is not { } text)
        {
            return TimeSpan.FromSeconds(fallback);
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 30 * 86400
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"{name} '{text}' is not a number of seconds");
    }
}
