using Imago.Core.Buckets;
using Imago.Core.Importing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Images;

/// <summary>
/// Import an image of a system disk plus data disks. With script, each chosen file is first uploaded on its own
/// (<see cref="OnPostUploadAsync"/>: the request body streamed straight into IBucketStore.PutObjectAsync, never held
/// in memory, with a progress bar per disk), then the form is posted urlencoded to <see cref="OnPostImportAsync"/>.
/// Without script the same form posts multipart to <see cref="ImportStreamModel"/>. The new image's page shows the
/// import's progress.
/// </summary>
public sealed class ImportModel(ImageImportService imports, IBucketStore buckets) : ImportPageModel(imports, buckets)
{
    public async Task OnGetAsync() => await LoadAsync();

    /// <summary>
    /// The browser's upload: the body (application/octet-stream, the antiforgery token in a header) becomes object
    /// <paramref name="key"/> of <paramref name="bucket"/>, if the caller may use that bucket (BucketAccess).
    /// Answers JSON: the object's key and size, or the refusal's message.
    /// </summary>
    public async Task<IActionResult> OnPostUploadAsync([FromQuery] string? bucket, [FromQuery] string? key)
    {
        AllowLargeBody();
        try
        {
            await BucketAccess.RequireAsync(BucketStore, Caller, Region, bucket ?? "", HttpContext.RequestAborted);
            var stored = await BucketStore.PutObjectAsync(Region, bucket ?? "", key ?? "", Request.Body, null, HttpContext.RequestAborted);
            return new JsonResult(new { Bucket = bucket, stored.Key, stored.Size });
        }
        catch (BucketException refusal)
        {
            return new JsonResult(new { Message = $"{refusal.Message} ({refusal.Code})" }) { StatusCode = StatusCodes.Status400BadRequest };
        }
        catch (BadHttpRequestException broken)
        {
            // The body ended early or exceeded the limit: PutObjectAsync stored nothing (an object is replaced atomically).
            return new JsonResult(new { Message = $"The upload was not stored: {broken.Message}" }) { StatusCode = broken.StatusCode };
        }
    }

    /// <summary>ImportImage with the form's disks (the script has uploaded the files and named their objects).</summary>
    /// <param name="form">Bound without a prefix: the form's fields are ImageName, Disks[0].Bucket, ...</param>
    public Task<IActionResult> OnPostImportAsync([Bind(Prefix = "")] ImportForm form)
    {
        Form = form;
        return ImportAsync();
    }
}
