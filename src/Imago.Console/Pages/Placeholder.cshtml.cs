using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages;

/// <summary>The navigation's sections that later sessions build (docs/console.md, "Not built yet").</summary>
public sealed class PlaceholderModel : ConsolePageModel
{
    [BindProperty(SupportsGet = true)]
    public string Section { get; set; } = "";

    public string Title => Section.Length == 0 ? "" : char.ToUpperInvariant(Section[0]) + Section[1..];

    public void OnGet()
    {
    }
}
