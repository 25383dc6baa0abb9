using Imago.Core.Buckets;
using Imago.Core.Importing;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Imago.WebConsole.Pages.Images;

/// <summary>
/// The import form without script: one multipart/form-data POST whose file parts are streamed into the bucket as
/// they arrive (<see cref="ImportStreamReader"/>), then ImportImage, then the new image's page. The automatic
/// antiforgery check is off for this page only because it would read (and so buffer) the whole form first: the
/// reader validates the token, the form's first part, before it reads anything else. This page binds nothing, so
/// the model binder never reads the body either.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class ImportStreamModel(ImageImportService imports, IBucketStore buckets, IAntiforgery antiforgery, IOptions<AntiforgeryOptions> antiforgeryOptions)
    : ImportPageModel(imports, buckets)
{
    /// <summary>The form lives on the import page.</summary>
    public IActionResult OnGet() => Redirect($"/console/images/import?region={Uri.EscapeDataString(Region)}");

    public async Task<IActionResult> OnPostAsync()
    {
        AllowLargeBody();
        var reader = new ImportStreamReader(HttpContext, antiforgery, antiforgeryOptions.Value);
        try
        {
            Form = await reader.ReadAsync(StoreAsync, HttpContext.RequestAborted);
        }
        catch (AntiforgeryValidationException)
        {
            // As every other console form: a POST without a valid token is a 400 that says so and changes nothing.
            return Imago.WebConsole.Hosting.StaleFormFilter.Answer(Request);
        }
        catch (Exception refused) when (refused is ImportFormException or BucketException or BadHttpRequestException)
        {
            return await RefuseAsync(refused);
        }

        return await ImportAsync();
    }

    /// <summary>One disk's file into its row's bucket (BucketAccess: the caller's own or an operator bucket), under
    /// the row's object name or else the file's name; the row then names the stored object.</summary>
    private async Task StoreAsync(ImportDiskRow row, string fileName, Stream content)
    {
        var bucket = row.Bucket ?? "";
        var key = string.IsNullOrWhiteSpace(row.ObjectKey) ? fileName : row.ObjectKey.Trim();
        await BucketAccess.RequireAsync(BucketStore, Caller, Region, bucket, HttpContext.RequestAborted);
        var stored = await BucketStore.PutObjectAsync(Region, bucket, key, content, null, HttpContext.RequestAborted);
        row.ObjectKey = stored.Key;
        row.Uploaded = $"Uploaded {stored.Key} ({stored.Size} bytes) into {bucket}.";
    }

    /// <summary>
    /// Shows the form again with the refusal. What was stored before it stays (the rows name those objects, so
    /// sending the form again imports them without uploading again); the rest of the body is read and dropped, so
    /// the browser, still sending, receives the page.
    /// </summary>
    private async Task<IActionResult> RefuseAsync(Exception refused)
    {
        Refusal = refused switch
        {
            BucketException bucket => $"{bucket.Message} ({bucket.Code})",
            BadHttpRequestException broken => $"The upload was not stored: {broken.Message}",
            _ => refused.Message,
        };
        var status = refused is BadHttpRequestException badRequest ? badRequest.StatusCode : StatusCodes.Status400BadRequest;
        if (refused is not BadHttpRequestException && refused.InnerException is not IOException)
        {
            await Request.Body.CopyToAsync(Stream.Null, HttpContext.RequestAborted);
        }

        Response.StatusCode = status;
        await LoadAsync();
        return Page();
    }
}
