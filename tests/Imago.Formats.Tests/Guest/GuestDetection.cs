using Imago.Formats.Guest;

namespace Imago.Formats.Tests.Guest;

/// <summary>Runs detection on a disk file through the format engine (what import does), or on bytes in memory.</summary>
internal static class GuestDetection
{
    public static async Task<GuestReport> OnFileAsync(string path)
    {
        await using var image = await DiskImages.OpenAsync(path, ImageFormat.Raw);
        return await GuestDetector.DetectAsync(image);
    }

    public static Task<GuestReport> OnBytesAsync(byte[] disk) =>
        GuestDetector.DetectAsync(disk.Length, (offset, buffer, _) =>
        {
            disk.AsMemory((int)offset, buffer.Length).CopyTo(buffer);
            return ValueTask.CompletedTask;
        });
}
