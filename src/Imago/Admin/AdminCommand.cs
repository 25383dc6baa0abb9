using Imago.Cli;

namespace Imago.Admin;

/// <summary>
/// <c>imago admin ...</c>: operator commands on a service's data (the same --data/--db as serve), without the API.
/// Each area adds its group here.
/// </summary>
public static class AdminCommand
{
    public static CommandGroup Create() => new("admin", "operate the service's data: accounts and keys, public images, marketplace products",
    [
        AccountCommands.Create(),
        KeyCommands.Create(),
        PublicImageCommands.Create(),
        MarketplaceCommands.Create(),
        BucketCommands.Create(),
        ClockCommands.Create(),
    ]);
}
