using System.Globalization;
using Imago.Cli;
using Imago.Core.Accounts;

namespace Imago.Admin;

/// <summary><c>imago admin account create|list|disable|enable|delete|set-password</c>.</summary>
public static class AccountCommands
{
    public static CommandGroup Create() => new("account", "create, list, disable, enable and delete accounts; set their console password",
    [
        new CreateCommand(),
        new ListCommand(),
        new SetEnabledCommand("disable", enabled: false),
        new SetEnabledCommand("enable", enabled: true),
        new DeleteCommand(),
        new SetPasswordCommand(),
    ]);

    /// <summary>A new account with one AccessKey; the only time its secret is shown.</summary>
    private sealed class CreateCommand() : AccountAdminCommand("create", "NAME", "a new account and its first AccessKey (the secret is shown only now)")
    {
        protected override bool CreatesDatabase => true;

        protected override async Task<int> RunAsync(AccountService accounts, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
        {
            var created = await accounts.CreateAsync(options.Operands[0], cancellationToken).ConfigureAwait(false);
            return await PrintCredentialsAsync(console, options, created.AccountId, created.AccessKeyId, created.AccessKeySecret).ConfigureAwait(false);
        }
    }

    /// <summary>Accounts with their keys' ids and status (never secrets).</summary>
    private sealed class ListCommand() : AccountAdminCommand("list", "", "accounts and their AccessKeys (ids and status; never secrets)")
    {
        protected override async Task<int> RunAsync(AccountService accounts, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
        {
            var list = await accounts.ListAsync(cancellationToken).ConfigureAwait(false);
            if (options.Has("--json"))
            {
                return await PrintJsonAsync(console, list.Select(a => new
                {
                    AccountId = a.AccountId.ToString(CultureInfo.InvariantCulture),
                    a.Name,
                    Status = a.Enabled ? "Enabled" : "Disabled",
                    CreationTime = a.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    AccessKeys = a.AccessKeys.Select(k => new { k.AccessKeyId, k.Status }),
                })).ConfigureAwait(false);
            }

            foreach (var account in list)
            {
                var keys = string.Join(" ", account.AccessKeys.Select(k => $"{k.AccessKeyId}:{k.Status}"));
                await console.Out.WriteLineAsync($"{account.Name}\t{account.AccountId}\t{(account.Enabled ? "Enabled" : "Disabled")}\t{keys}").ConfigureAwait(false);
            }

            return 0;
        }
    }

    /// <summary>Disable: every key of the account is refused (Forbidden.AccessKeyDisabled); its resources stay. Enable undoes it.</summary>
    private sealed class SetEnabledCommand(string verb, bool enabled)
        : AccountAdminCommand(verb, "NAME", enabled ? "let a disabled account's keys work again" : "refuse every key of the account; its resources stay")
    {
        protected override async Task<int> RunAsync(AccountService accounts, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
        {
            await accounts.SetEnabledAsync(options.Operands[0], enabled, cancellationToken).ConfigureAwait(false);
            return await PrintDoneAsync(console, options, options.Operands[0], enabled ? "Enabled" : "Disabled").ConfigureAwait(false);
        }
    }

    /// <summary>Refused while the account owns images, instances, disks or snapshots (see AccountService.DeleteAsync).</summary>
    private sealed class DeleteCommand() : AccountAdminCommand("delete", "NAME", "delete an account that owns no resources, with its keys")
    {
        protected override async Task<int> RunAsync(AccountService accounts, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
        {
            await accounts.DeleteAsync(options.Operands[0], cancellationToken).ConfigureAwait(false);
            return await PrintDoneAsync(console, options, options.Operands[0], "Deleted").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The web console's password for an account, read from the first line of standard input (never an argument,
    /// which other users see in the process list). Setting it again ends the account's password sessions.
    /// </summary>
    private sealed class SetPasswordCommand() : AccountAdminCommand("set-password", "NAME", "set the account's web console password, read from standard input")
    {
        protected override async Task<int> RunAsync(AccountService accounts, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
        {
            var password = await System.Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new UsageException("set-password reads the new password from standard input (one line)");
            await accounts.ConsolePasswords.SetAsync(options.Operands[0], password, cancellationToken).ConfigureAwait(false);
            return await PrintDoneAsync(console, options, options.Operands[0], "PasswordSet").ConfigureAwait(false);
        }
    }
}
