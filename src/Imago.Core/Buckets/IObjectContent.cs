namespace Imago.Core.Buckets;

/// <summary>
/// An object's content by position, for a put that reads and hashes its parts at once
/// (<see cref="IPartedPutBucketStore"/>): reads may run concurrently, and ranges known to read as zeros are neither
/// read nor stored.
/// </summary>
public interface IObjectContent
{
    long Length { get; }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/> (the range lies inside <see cref="Length"/>). Safe to call concurrently.</summary>
    ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>True when the whole range surely reads as zeros; false when it holds data or nobody can tell.</summary>
    ValueTask<bool> IsZeroAsync(long offset, long length, CancellationToken cancellationToken);
}
