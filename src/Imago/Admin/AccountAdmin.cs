using System.Text.Json;
using Imago.Cli;
using Imago.Core.Accounts;
using Imago.Data;
using Imago.Serve;

namespace Imago.Admin;

/// <summary>
/// What every <c>imago admin account|key</c> command shares: the same <c>--data</c>/<c>--db</c> as serve, the
/// account service over that database and master key, and one-line refusals.
/// <para>
/// These commands take no data-directory lock: they change only the database, which SQLite (WAL, busy
/// timeout) and PostgreSQL let several processes write, so an operator can create accounts and disable keys
/// while <c>imago serve</c> runs. A running serve sees the change at once for new keys and within one second
/// for disabled or deleted ones (its credential cache).
/// </para>
/// </summary>
internal abstract class AccountAdminCommand(string name, string operands, string summary) : ICommand
{
    private readonly OptionParser _parser = new(ServeSettings.DataOptions, ["--json"]);

    public string Name => name;

    public string Summary => $"{operands} [--data DIR] [--db CONN] [--json]: {summary}".TrimStart();

    /// <summary>Whether the command may create the data directory and the database (only creating an account does).</summary>
    protected virtual bool CreatesDatabase => false;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken)
    {
        var options = _parser.Parse(args);
        var expected = operands.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (options.Operands.Count != expected.Length)
        {
            throw new UsageException($"usage: imago admin ... {name} {operands} [--data DIR] [--db CONN] [--json]");
        }

        var dataDirectory = ServeSettings.DataDirectoryOf(options);
        var connectionString = ServeSettings.ConnectionStringOf(options);
        if (!CreatesDatabase && connectionString is null && !File.Exists(new DatabaseOptions(dataDirectory).SqlitePath))
        {
            throw new UsageException($"no Imago database in {dataDirectory} (wrong --data? accounts are created with 'imago admin account create NAME')");
        }

        var database = await DatabaseOpener.OpenAsync(dataDirectory, connectionString, cancellationToken).ConfigureAwait(false);
        try
        {
            var masterKey = MasterKey.LoadOrCreate(dataDirectory, Environment.GetEnvironmentVariable(MasterKey.EnvironmentVariable));
            var accounts = new AccountService(database, new SecretProtector(masterKey), TimeProvider.System);
            return await RunAsync(accounts, options, console, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AccountException or InvalidDataException)
        {
            throw new UsageException(e.Message);
        }
    }

    protected abstract Task<int> RunAsync(AccountService accounts, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken);

    protected static async Task<int> PrintJsonAsync(CommandConsole console, object value)
    {
        await console.Out.WriteLineAsync(JsonSerializer.Serialize(value)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>A new key's three values: JSON (AccountId as a string, see <see cref="NewAccount"/>) or aligned lines.</summary>
    protected static async Task<int> PrintCredentialsAsync(CommandConsole console, ParsedOptions options, long accountId, string accessKeyId, string secret)
    {
        if (options.Has("--json"))
        {
            return await PrintJsonAsync(console, new { AccountId = accountId.ToString(System.Globalization.CultureInfo.InvariantCulture), AccessKeyId = accessKeyId, AccessKeySecret = secret }).ConfigureAwait(false);
        }

        await console.Out.WriteLineAsync($"AccountId:       {accountId}").ConfigureAwait(false);
        await console.Out.WriteLineAsync($"AccessKeyId:     {accessKeyId}").ConfigureAwait(false);
        await console.Out.WriteLineAsync($"AccessKeySecret: {secret}").ConfigureAwait(false);
        await console.Error.WriteLineAsync("imago: keep the secret now: it is stored encrypted and never shown again").ConfigureAwait(false);
        return 0;
    }

    /// <summary>The outcome of a change: one line, or <c>{"Name":...,"Status":...}</c> with --json.</summary>
    protected static async Task<int> PrintDoneAsync(CommandConsole console, ParsedOptions options, string subject, string status)
    {
        if (options.Has("--json"))
        {
            return await PrintJsonAsync(console, new { Name = subject, Status = status }).ConfigureAwait(false);
        }

        await console.Out.WriteLineAsync($"{subject}: {status}").ConfigureAwait(false);
        return 0;
    }
}
