using Imago.Core.Buckets;
using Imago.Core.Importing;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Imago.WebConsole.Pages.Images;

/// <summary>
/// What both import pages share: the form (<c>_ImportForm</c>), the buckets it offers, and starting ImportImage
/// through ImageImportService (the API's service and messages). <see cref="ImportModel"/> takes the script's
/// upload and urlencoded import; <see cref="ImportStreamModel"/> the script-less multipart form, streamed.
/// </summary>
public abstract class ImportPageModel(ImageImportService imports, IBucketStore buckets) : NewImagePageModel
{
    /// <summary>The largest upload, as the object API allows (an OSS object's limit).</summary>
    protected const long MaxUploadBytes = 5L << 40;

    /// <summary>The form as shown (after a refusal: as sent). Not bound as a property: the streamed page must not
    /// let the model binder read its multipart body.</summary>
    public ImportForm Form { get; protected set; } = new();

    public IReadOnlyList<BucketInfo> Buckets { get; private set; } = [];

    protected IBucketStore BucketStore => buckets;

    /// <summary>ImportImage with the form's disks; opens the new image's page, or shows the form again with the refusal.</summary>
    protected Task<IActionResult> ImportAsync() => StartImageAsync(async () =>
    {
        var result = await imports.ImportAsync(Caller, Form.ToRequest(Region), HttpContext.RequestAborted);
        return (result.ImageId, $"Importing as image {result.ImageId} (task {result.TaskId}).");
    });

    /// <summary>An upload's body may be as large as an object: raised for this request only.</summary>
    protected void AllowLargeBody()
    {
        if (HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxUploadBytes;
        }
    }

    protected override async Task LoadAsync()
    {
        Buckets = [.. (await buckets.ListBucketsAsync(Region, HttpContext.RequestAborted)).Where(b => BucketAccess.MayUse(b, Caller))];
        Form.PadRows();
    }
}
