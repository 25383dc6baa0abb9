using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Imago.WebConsole.Pages.Images;

/// <summary>
/// Reads the import form's script-less multipart/form-data POST part by part from the request body (MultipartReader),
/// so a file part is handed on as a stream while it arrives: nothing is buffered beyond one small field at a time.
/// The antiforgery token must be the FIRST part (the form renders it first); it is validated before any other part is
/// read, so a forged POST stores nothing. Fields must precede their disk's file part (the form's order does this):
/// a file goes to the bucket and object name its row named before it.
/// </summary>
public sealed partial class ImportStreamReader(HttpContext context, IAntiforgery antiforgery, AntiforgeryOptions options)
{
    /// <summary>A field's value: an object name is at most 1023 characters, 4 bytes each in UTF-8.</summary>
    private const int MaxFieldBytes = 4096;

    /// <summary>Parts a well-formed form has at most: the token, five image fields and five fields per row.</summary>
    private const int MaxParts = 8 + (5 * ImportForm.MaxRows);

    /// <summary>Stores one disk's file, from its body stream, as the row says; sets the row's ObjectKey to what was stored.</summary>
    public delegate Task UploadAsync(ImportDiskRow row, string fileName, Stream content);

    /// <summary>The form as sent, every file part already handed to <paramref name="upload"/>.</summary>
    /// <exception cref="AntiforgeryValidationException">The first part is not a valid antiforgery token.</exception>
    /// <exception cref="ImportFormException">The body is not the import form's multipart form.</exception>
    public async Task<ImportForm> ReadAsync(UploadAsync upload, CancellationToken cancellationToken)
    {
        var reader = new MultipartReader(Boundary(), context.Request.Body);
        await ValidateTokenAsync(await NextAsync(reader, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var form = new ImportForm();
        for (var parts = 1; await NextAsync(reader, cancellationToken).ConfigureAwait(false) is { } section; parts++)
        {
            if (parts >= MaxParts)
            {
                throw new ImportFormException("The form has more parts than the import form sends.");
            }

            var disposition = section.GetContentDispositionHeader() ?? throw new ImportFormException("A part of the form has no name.");
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (disposition.IsFileDisposition())
            {
                await FileAsync(form, name, FileName(disposition), new ImportPartStream(section.Body, context.RequestAborted), upload).ConfigureAwait(false);
            }
            else
            {
                Field(form, name, await ReadFieldAsync(section.Body, cancellationToken).ConfigureAwait(false));
            }
        }

        return form;
    }

    /// <summary>The next part; a body that ends inside one (or is not multipart) is the form's fault, not the service's.</summary>
    private async Task<MultipartSection?> NextAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException cut) when (cut is not BadHttpRequestException && !context.RequestAborted.IsCancellationRequested)
        {
            throw ImportFormException.Cut(cut);
        }
        catch (InvalidDataException malformed)
        {
            throw new ImportFormException("The form's body is not well-formed multipart/form-data.", malformed);
        }
    }

    private string Boundary()
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 70 } boundary)
        {
            throw new ImportFormException("The form must be sent as multipart/form-data.");
        }

        return boundary;
    }

    /// <summary>
    /// The token part, checked by the antiforgery service itself: it reads a request's token from the configured
    /// header before it would ever read a form, so the value read here is offered there (a client that sent the
    /// header already is checked on that header).
    /// </summary>
    private async Task ValidateTokenAsync(MultipartSection? first, CancellationToken cancellationToken)
    {
        var disposition = first?.GetContentDispositionHeader();
        var token = first is not null && disposition is { } d && d.IsFormDisposition() && HeaderUtilities.RemoveQuotes(d.Name).Value == options.FormFieldName
            ? await ReadFieldAsync(first.Body, cancellationToken).ConfigureAwait(false)
            : throw new AntiforgeryValidationException($"The form's first part must be the antiforgery token {options.FormFieldName}.");
        if (options.HeaderName is not { } header)
        {
            throw new AntiforgeryValidationException("The antiforgery service reads no header.");
        }

        if (!context.Request.Headers.ContainsKey(header))
        {
            context.Request.Headers[header] = token;
        }

        await antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
    }

    private static async Task FileAsync(ImportForm form, string name, string fileName, Stream body, UploadAsync upload)
    {
        if (DiskField(form, name) is not ({ } row, "File"))
        {
            throw new ImportFormException("A file part of the form is not a disk's file.");
        }

        // No file chosen: browsers send the part with an empty file name and no content.
        if (fileName.Length == 0)
        {
            return;
        }

        if (row.Bucket is null)
        {
            throw new ImportFormException("A disk's file came before its bucket: send the form's fields in the page's order.");
        }

        await upload(row, fileName, body).ConfigureAwait(false);
    }

    private static void Field(ImportForm form, string name, string value)
    {
        switch (name)
        {
            case nameof(ImportForm.ImageName): form.ImageName = value; break;
            case nameof(ImportForm.Description): form.Description = value; break;
            case nameof(ImportForm.Platform): form.Platform = value; break;
            case nameof(ImportForm.OSType): form.OSType = value; break;
            case nameof(ImportForm.Architecture): form.Architecture = value; break;
            default:
                switch (DiskField(form, name))
                {
                    case ({ } row, nameof(ImportDiskRow.Bucket)): row.Bucket = value; break;
                    case ({ } row, nameof(ImportDiskRow.ObjectKey)): row.ObjectKey = value; break;
                    case ({ } row, nameof(ImportDiskRow.Format)): row.Format = value; break;
                    case ({ } row, nameof(ImportDiskRow.Size)): row.Size = value; break;
                    // Other fields (e.g. a browser's submit button) mean nothing here, as for the model binder.
                }

                break;
        }
    }

    /// <summary>Disks[i].Name: the row (created as needed, up to <see cref="ImportForm.MaxRows"/>) and the name.</summary>
    private static (ImportDiskRow? Row, string Field) DiskField(ImportForm form, string name)
    {
        var match = DiskFieldName().Match(name);
        if (!match.Success)
        {
            return (null, "");
        }

        var index = int.Parse(match.Groups[1].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture);
        if (index >= ImportForm.MaxRows)
        {
            throw new ImportFormException($"The form has more disk rows than an image can hold (at most {ImportForm.MaxRows}).");
        }

        while (form.Disks.Count <= index)
        {
            form.Disks.Add(new ImportDiskRow());
        }

        return (form.Disks[index], match.Groups[2].Value);
    }

    private static string FileName(ContentDispositionHeaderValue disposition)
    {
        var sent = HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value is { Length: > 0 } star ? star : HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? "";
        // Browsers send the base name; some older ones sent a whole client path.
        return sent[(sent.LastIndexOfAny(['/', '\\']) + 1)..];
    }

    /// <summary>A field's value as UTF-8 text, at most <see cref="MaxFieldBytes"/> bytes (longer is a malformed form).</summary>
    private async Task<string> ReadFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        var field = new ImportPartStream(body, context.RequestAborted);
        var buffer = new byte[MaxFieldBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await field.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        return length > MaxFieldBytes
            ? throw new ImportFormException($"A field of the form is longer than {MaxFieldBytes} bytes.")
            : Encoding.UTF8.GetString(buffer, 0, length);
    }

    [GeneratedRegex(@"^Disks\[(\d{1,4})\]\.(Bucket|ObjectKey|Format|Size|File)$", RegexOptions.CultureInvariant)]
    private static partial Regex DiskFieldName();
}

/// <summary>The script-less import POST is not the import form's multipart body; the page shows the message.</summary>
public sealed class ImportFormException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The body ended inside a part: the part being read was not stored (a put is atomic).</summary>
    public static ImportFormException Cut(IOException cut) =>
        new("The form's body ended before the form did: the file being uploaded was not stored.", cut);
}
