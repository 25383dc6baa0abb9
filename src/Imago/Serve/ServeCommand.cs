using Imago.Cli;

namespace Imago.Serve;

/// <summary>
/// <c>imago serve</c>: the ECS-compatible API, the NBD server and the background workers in one process,
/// until Ctrl+C or SIGTERM (the command's cancellation token), then a clean stop and exit code 0.
/// </summary>
public sealed class ServeCommand : ICommand
{
    public string Name => "serve";

    public string Summary => "run the ECS-compatible image service (--urls, --data, --db, --regions, --nbd, --nbd-host, --instance-types, --copy-concurrency, --transfer-rate, --price-book, --clock, --forwarded-headers)";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        if (args.Count > 0 && args[0] is "-h" or "--help")
        {
            await console.Out.WriteLineAsync(Usage).ConfigureAwait(false);
            return 0;
        }

        var settings = ServeSettings.Parse(args);
        var host = await ImagoHost.StartAsync(settings, configureLogging: null, cancellationToken).ConfigureAwait(false);
        await using (host.ConfigureAwait(false))
        {
            await console.Out.WriteLineAsync(
                $"imago: serving {string.Join(",", host.Addresses.Select(a => a.GetLeftPart(UriPartial.Authority)))} data={settings.DataDirectory} db={host.Database.Description} " +
                $"regions={string.Join(",", settings.RegionIds)} nbd={ImagoHost.Describe(host.NbdEndpoint ?? settings.NbdEndpoint)}").ConfigureAwait(false);
            await console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C / SIGTERM is how the service is meant to stop.
            }

            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await console.Out.WriteLineAsync("imago: stopped").ConfigureAwait(false);
        return 0;
    }

    private const string Usage =
        "usage: imago serve [--urls URLS] [--data DIR] [--db CONNSTRING] [--regions a,b,c] [--nbd HOST:PORT|off] [--nbd-host NAME] [--instance-types FILE]\n" +
        "                  [--copy-concurrency N] [--transfer-rate MIB_PER_S] [--price-book FILE] [--clock FILE]\n" +
        "                  [--forwarded-headers PROXIES]\n" +
        $"  --urls            where the API listens (default {ServeSettings.DefaultUrl})\n" +
        $"  --data            data directory: lock, SQLite database, master key, block stores (default {ServeSettings.DefaultDataDirectory})\n" +
        "  --db              PostgreSQL connection string (Npgsql); absent: SQLite in DATA/imago.db\n" +
        "  --regions         comma-separated region ids (default cn-hangzhou,cn-shanghai,ap-southeast-1)\n" +
        $"  --nbd             where instance disks are served over NBD (default {ServeSettings.DefaultNbd}; 'off' disables)\n" +
        "  --nbd-host        host name put in the nbd:// URLs clients get (default: the NBD listening address)\n" +
        "  --instance-types  JSON instance-type catalog replacing the built-in one\n" +
        "  --copy-concurrency  CopyImage transfers at once per destination region; more wait (default 2)\n" +
        "  --transfer-rate   cap on copy and import bandwidth in MiB/s for the whole service (default 0 = unlimited)\n" +
        "  --price-book      JSON price book: per region a currency, instance-hour and snapshot GiB-month prices (default: the built-in sample; docs/billing.md)\n" +
        "  --clock           TEST ONLY: the service's clock stands at the time in FILE (imago admin clock set|advance); docs/billing.md\n" +
        "  --forwarded-headers  behind a TLS-terminating proxy: believe X-Forwarded-Proto from these addresses ('loopback' or IPs, comma-separated),\n" +
        "                    so console cookies are Secure; docs/console.md";
}
