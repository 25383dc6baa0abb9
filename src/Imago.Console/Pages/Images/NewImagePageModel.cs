using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Images;

/// <summary>
/// A page that starts work making a new image (CreateImage, ImportImage): on success it opens the new image's page,
/// which follows the work live; on a refusal it shows this page again with the service's message.
/// </summary>
public abstract class NewImagePageModel : ConsolePageModel
{
    /// <summary><paramref name="start"/> answers the new image's id and the notice to show on its page.</summary>
    protected async Task<IActionResult> StartImageAsync(Func<Task<(string ImageId, string Notice)>> start)
    {
        (string ImageId, string Notice) started = ("", "");
        return await ActAsync(async () => started = await start(), "", () =>
            {
                Notice = started.Notice;
                return Redirect($"/console/images/{Uri.EscapeDataString(started.ImageId)}?region={Uri.EscapeDataString(Region)}");
            }, async () =>
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
                await LoadAsync();
                return Page();
            });
    }

    /// <summary>Loads what the page's forms offer (buckets, instances, snapshots).</summary>
    protected abstract Task LoadAsync();

    protected static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
