using Imago.Img;

namespace Imago.Cli;

/// <summary>
/// The command tree of the <c>imago</c> executable. New areas (serve, admin, ...) add one entry here.
/// </summary>
public static class CommandLine
{
    public static CommandGroup Default { get; } = new("imago", "cloud image service and disk image tool",
    [
        new CommandGroup("img", "disk image tool mirroring qemu-img (info, convert, check, compare, measure, map)",
        [
            new InfoCommand(),
            new ConvertCommand(),
            new CheckCommand(),
            new CompareCommand(),
            new MeasureCommand(),
            new MapCommand(),
        ]),
        new Imago.Store.StoreCommand(),
        new Imago.Serve.ServeCommand(),
        Imago.Admin.AdminCommand.Create(),
        Imago.Client.ImageCommands.Create(),
        new Imago.Client.BillCommand(),
    ]);
}
