using Imago.Cli;

namespace Imago.Admin;

/// <summary><c>imago admin public-image list|import</c>.</summary>
public static class PublicImageCommands
{
    public static CommandGroup Create() => new("public-image", "list public images; import a real image file as a public image in every region", []);
}
