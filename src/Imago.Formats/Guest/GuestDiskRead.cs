namespace Imago.Formats.Guest;

/// <summary>
/// Fills the buffer with the disk's bytes at the offset (the range lies inside the disk). This is the one read
/// operation <see cref="IDiskImage"/> and the block store's devices share, so detection runs on either.
/// </summary>
public delegate ValueTask GuestDiskRead(long offset, Memory<byte> buffer, CancellationToken cancellationToken);
