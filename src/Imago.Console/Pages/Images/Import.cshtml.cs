using Imago.Core.Buckets;
using Imago.Core.Importing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Images;

/// <summary>
/// Import an image: upload a file from the browser into a bucket (the request body streamed straight into
/// IBucketStore.PutObjectAsync, never held in memory), then ImportImage (ImageImportService, the API's service and
/// messages); the new image's page shows the import's progress.
/// </summary>
public sealed class ImportModel(ImageImportService imports, IBucketStore buckets) : NewImagePageModel
{
    /// <summary>The largest upload, as the object API allows (an OSS object's limit).</summary>
    private const long MaxUploadBytes = 5L << 40;

    [BindProperty]
    public string? Bucket { get; set; }

    [BindProperty]
    public string? ObjectKey { get; set; }

    [BindProperty]
    public string? ImageName { get; set; }

    [BindProperty]
    public string? Platform { get; set; }

    [BindProperty]
    public string? OSType { get; set; }

    [BindProperty]
    public string? Architecture { get; set; }

    [BindProperty]
    public string? Format { get; set; }

    public IReadOnlyList<BucketInfo> Buckets { get; private set; } = [];

    public async Task OnGetAsync() => await LoadAsync();

    /// <summary>
    /// The browser's upload: the body (application/octet-stream, the antiforgery token in a header) becomes object
    /// <paramref name="key"/> of <paramref name="bucket"/>, if the caller may use that bucket (BucketAccess).
    /// Answers JSON: the object's key and size, or the refusal's message.
    /// </summary>
    public async Task<IActionResult> OnPostUploadAsync([FromQuery] string? bucket, [FromQuery] string? key)
    {
        if (HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxUploadBytes;
        }

        try
        {
            await BucketAccess.RequireAsync(buckets, Caller, Region, bucket ?? "", HttpContext.RequestAborted);
            var stored = await buckets.PutObjectAsync(Region, bucket ?? "", key ?? "", Request.Body, null, HttpContext.RequestAborted);
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

    public Task<IActionResult> OnPostImportAsync()
    {
        var request = new ImportImageRequest(Region,
            [new ImportDiskRequest(1, Bucket ?? "", ObjectKey ?? "", Blank(Format), null, null)],
            ImageName: Blank(ImageName), Architecture: Blank(Architecture), OSType: Blank(OSType), Platform: Blank(Platform));
        return StartImageAsync(async () =>
        {
            var result = await imports.ImportAsync(Caller, request, HttpContext.RequestAborted);
            return (result.ImageId, $"Importing as image {result.ImageId} (task {result.TaskId}).");
        });
    }

    protected override async Task LoadAsync() =>
        Buckets = [.. (await buckets.ListBucketsAsync(Region, HttpContext.RequestAborted)).Where(b => BucketAccess.MayUse(b, Caller))];
}
