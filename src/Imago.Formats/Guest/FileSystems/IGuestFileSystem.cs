namespace Imago.Formats.Guest.FileSystems;

/// <summary>The read-only operations detection needs from a guest file system. Throws <see cref="GuestDataException"/> on garbage.</summary>
internal interface IGuestFileSystem
{
    GuestNode Root { get; }

    /// <summary>The entry called <paramref name="name"/> in a directory, or null. Names compare as the file system does.</summary>
    ValueTask<GuestNode?> LookupAsync(GuestNode directory, string name, CancellationToken cancellationToken);

    /// <summary>A file's content; <see cref="GuestDataException"/> when it is larger than <paramref name="maxBytes"/>.</summary>
    ValueTask<byte[]> ReadFileAsync(GuestNode file, int maxBytes, CancellationToken cancellationToken);

    /// <summary>A symlink's target.</summary>
    ValueTask<string> ReadLinkAsync(GuestNode link, CancellationToken cancellationToken);
}
