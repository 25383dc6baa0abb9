namespace Imago.Core.Accounts;

/// <summary>An operator's account command is refused (unknown name, name taken, account still owns resources). One line.</summary>
public sealed class AccountException(string message) : Exception(message);
