using Imago.Formats.Guest;
using Imago.Storage;

namespace Imago.Core.Importing.Detection;

/// <summary>
/// Runs guest detection on a disk that is already in the block store. Never fails the caller's work: anything
/// that goes wrong (a corrupt guest, a read error, the time limit) is an unknown report; only the caller's own
/// cancellation escapes.
/// </summary>
public static class ImageDetection
{
    /// <summary>Detection reads a bounded amount; this only guards against a store that stops answering.</summary>
    private static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(2);

    public static async Task<GuestReport> DetectSnapshotAsync(BlockStore store, string snapshotId, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeLimit);
        try
        {
            await using var disk = await store.OpenSnapshotAsync(snapshotId, limit.Token).ConfigureAwait(false);
            return await GuestDetector.DetectAsync(disk.Size, disk.ReadAsync, limit.Token).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return GuestReport.Unknown;
        }
    }
}
