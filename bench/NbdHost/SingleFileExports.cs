using Imago.Storage;
using Imago.Storage.Nbd;

namespace Imago.Bench.NbdHost;

/// <summary>One export, <paramref name="name"/> (also the default), backed by a raw file opened per connection.</summary>
internal sealed class SingleFileExports(string name, string path, bool readOnly) : INbdExportProvider
{
    public string? DefaultExportName => name;

    public ValueTask<IReadOnlyList<NbdExportDescription>> ListExportsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<NbdExportDescription>>([new NbdExportDescription(name, path)]);

    public ValueTask<IBlockDevice?> OpenExportAsync(string exportName, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IBlockDevice?>(exportName == name ? new FileBlockDevice(path, readOnly) : null);
}
