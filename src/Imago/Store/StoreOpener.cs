using Imago.Cli;
using Imago.Storage;

namespace Imago.Store;

/// <summary>
/// Opens the store a command works on. Commands that only read or maintain a store refuse a directory that
/// is not one (a typo must not scatter a new store's files into some other directory); commands that create
/// data may start a store in a missing or empty directory.
/// </summary>
internal static class StoreOpener
{
    private const string LayoutFile = "store.json";

    public static Task<BlockStore> OpenExistingAsync(string directory, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(directory, LayoutFile)))
        {
            throw new UsageException($"'{directory}' is not an Imago store (no {LayoutFile})");
        }

        return BlockStore.OpenAsync(directory, cancellationToken: cancellationToken);
    }

    /// <summary>Runs <paramref name="action"/> on the existing store in <paramref name="directory"/> and closes it.</summary>
    public static async Task<int> WithExistingAsync(string directory, CancellationToken cancellationToken, Func<BlockStore, Task<int>> action)
    {
        var store = await OpenExistingAsync(directory, cancellationToken).ConfigureAwait(false);
        await using (store.ConfigureAwait(false))
        {
            return await action(store).ConfigureAwait(false);
        }
    }

    public static Task<BlockStore> OpenOrCreateAsync(string directory, BlockStoreOptions? options, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(directory, LayoutFile)) && Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new UsageException($"'{directory}' is neither an Imago store nor empty; refusing to create a store there");
        }

        return BlockStore.OpenAsync(directory, options, cancellationToken);
    }

    /// <summary>Exactly the operands a command expects (named for the error message), or a usage error.</summary>
    public static string[] Operands(ParsedOptions options, params string[] names)
    {
        if (options.Operands.Count != names.Length)
        {
            throw new UsageException($"expecting {string.Join(" ", names)}, got {options.Operands.Count} argument(s)");
        }

        return [.. options.Operands];
    }
}
