using Imago.Cli;

namespace Imago.Admin;

/// <summary><c>imago admin account create|list|disable|delete</c> and <c>imago admin key add|disable|delete</c>.</summary>
public static class AccountCommands
{
    public static CommandGroup Create() => new("account", "create, list, disable and delete accounts and their AccessKeys", []);
}
