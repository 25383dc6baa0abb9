namespace Imago.Formats.Guest.FileSystems;

public enum GuestNodeKind
{
    File,
    Directory,
    Symlink,
    Other,
}

/// <summary>A file, directory or symlink found in a guest file system; each file system keeps its own locator in it.</summary>
internal abstract class GuestNode(GuestNodeKind kind, long size)
{
    public GuestNodeKind Kind { get; } = kind;

    public long Size { get; } = size;
}
