namespace Imago.Storage.Nbd;

/// <summary>
/// What an <see cref="NbdServer"/> serves: a set of named block devices. The storage layer implements it over
/// volumes (read-write) and snapshots (read-only); tests and the benchmark host over plain devices.
/// </summary>
public interface INbdExportProvider
{
    /// <summary>The export a client gets when it asks for the empty name (NBD's "default export"); null for none.</summary>
    string? DefaultExportName => null;

    /// <summary>The exports NBD_OPT_LIST announces, in the order given.</summary>
    ValueTask<IReadOnlyList<NbdExportDescription>> ListExportsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Opens the export called <paramref name="name"/> for one client connection, or returns null when there is
    /// no such export. The server owns the returned device and disposes it when the connection ends (or right
    /// after answering NBD_OPT_INFO), so return a per-connection handle, not a shared instance.
    /// </summary>
    ValueTask<IBlockDevice?> OpenExportAsync(string name, CancellationToken cancellationToken);
}

/// <summary>One line of an export listing: the name a client connects to, and optional text for humans.</summary>
public sealed record NbdExportDescription(string Name, string? Description = null);
