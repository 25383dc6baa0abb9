using Imago.Cli;
using Imago.Core.Accounts;

namespace Imago.Admin;

/// <summary><c>imago admin key add|disable|enable|delete</c>.</summary>
public static class KeyCommands
{
    public static CommandGroup Create() => new("key", "add, disable, enable and delete AccessKeys",
    [
        new AddCommand(),
        new SetEnabledCommand("disable", enabled: false),
        new SetEnabledCommand("enable", enabled: true),
        new DeleteCommand(),
    ]);

    /// <summary>Another AccessKey for an account (for rotation); the only time its secret is shown.</summary>
    private sealed class AddCommand() : AccountAdminCommand("add", "ACCOUNT", "a new AccessKey for the account named ACCOUNT (the secret is shown only now)")
    {
        protected override async Task<int> RunAsync(AccountService accounts, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
        {
            var key = await accounts.AddKeyAsync(options.Operands[0], cancellationToken).ConfigureAwait(false);
            return await PrintCredentialsAsync(console, options, key.AccountId, key.AccessKeyId, key.AccessKeySecret).ConfigureAwait(false);
        }
    }

    /// <summary>Disable: requests signed with the key get Forbidden.AccessKeyDisabled. Enable undoes it.</summary>
    private sealed class SetEnabledCommand(string verb, bool enabled)
        : AccountAdminCommand(verb, "AKID", enabled ? "make an Inactive AccessKey Active again" : "make an AccessKey Inactive (Forbidden.AccessKeyDisabled)")
    {
        protected override async Task<int> RunAsync(AccountService accounts, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
        {
            await accounts.SetKeyEnabledAsync(options.Operands[0], enabled, cancellationToken).ConfigureAwait(false);
            return await PrintDoneAsync(console, options, options.Operands[0], enabled ? AccessKeyStatuses.Active : AccessKeyStatuses.Inactive).ConfigureAwait(false);
        }
    }

    /// <summary>The key is gone: requests signed with it get InvalidAccessKeyId.NotFound.</summary>
    private sealed class DeleteCommand() : AccountAdminCommand("delete", "AKID", "delete an AccessKey (InvalidAccessKeyId.NotFound from then on)")
    {
        protected override async Task<int> RunAsync(AccountService accounts, ParsedOptions options, CommandConsole console, CancellationToken cancellationToken)
        {
            await accounts.DeleteKeyAsync(options.Operands[0], cancellationToken).ConfigureAwait(false);
            return await PrintDoneAsync(console, options, options.Operands[0], "Deleted").ConfigureAwait(false);
        }
    }
}
