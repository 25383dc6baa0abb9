using System.Text;

namespace Imago.Formats.Guest.FileSystems;

/// <summary>
/// Resolves absolute paths inside a guest file system as the guest's kernel would, following symlinks (absolute
/// ones from the guest's root, never the host's) with a bounded number of hops and components.
/// </summary>
internal static class GuestPaths
{
    /// <summary>Linux allows 40 nested links; real distributions use one or two.</summary>
    private const int MaxSymlinks = 16;

    private const int MaxComponents = 256;

    private const int MaxLinkTarget = 4096;

    /// <summary>The node at <paramref name="path"/> (final symlinks followed), or null when it does not exist.</summary>
    public static async ValueTask<GuestNode?> ResolveAsync(IGuestFileSystem fileSystem, string path, CancellationToken cancellationToken)
    {
        var pending = new Stack<string>(Components(path).Reverse());
        var trail = new List<GuestNode> { fileSystem.Root };
        var links = 0;
        var steps = 0;
        while (pending.Count > 0)
        {
            if (++steps > MaxComponents)
            {
                throw new GuestDataException($"resolving {path} takes too many steps");
            }

            var name = pending.Pop();
            if (name == "..")
            {
                if (trail.Count > 1)
                {
                    trail.RemoveAt(trail.Count - 1);
                }

                continue;
            }

            var directory = trail[^1];
            if (directory.Kind != GuestNodeKind.Directory)
            {
                return null;
            }

            var node = await fileSystem.LookupAsync(directory, name, cancellationToken).ConfigureAwait(false);
            if (node is null)
            {
                return null;
            }

            if (node.Kind != GuestNodeKind.Symlink)
            {
                trail.Add(node);
                continue;
            }

            if (++links > MaxSymlinks)
            {
                throw new GuestDataException($"too many symbolic links in {path}");
            }

            var target = await fileSystem.ReadLinkAsync(node, cancellationToken).ConfigureAwait(false);
            if (target.Length == 0 || target.Length > MaxLinkTarget)
            {
                return null;
            }

            if (target[0] == '/')
            {
                trail.RemoveRange(1, trail.Count - 1);
            }

            foreach (var part in Components(target).Reverse())
            {
                pending.Push(part);
            }
        }

        return trail[^1];
    }

    /// <summary>Reads a regular file's content at <paramref name="path"/>, or null when there is none.</summary>
    public static async ValueTask<byte[]?> ReadFileAsync(IGuestFileSystem fileSystem, string path, int maxBytes, CancellationToken cancellationToken)
    {
        var node = await ResolveAsync(fileSystem, path, cancellationToken).ConfigureAwait(false);
        return node is { Kind: GuestNodeKind.File } && node.Size <= maxBytes
            ? await fileSystem.ReadFileAsync(node, maxBytes, cancellationToken).ConfigureAwait(false)
            : null;
    }

    public static string DecodeLinkTarget(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes.TrimEnd((byte)0));

    private static IEnumerable<string> Components(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(c => c != ".");
}
