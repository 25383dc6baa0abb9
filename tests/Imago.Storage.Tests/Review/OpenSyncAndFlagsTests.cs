using System.Runtime.InteropServices;
using Imago.Formats.Tests.Infrastructure;
using Imago.Storage.IO;

namespace Imago.Storage.Tests.Review;

public sealed class OpenSyncAndFlagsTests
{
    /// <summary>
    /// A killed process may have renamed chunks into place without flushing their directories; the next process
    /// deduplicates against those names, so opening makes them durable first with one syncfs of the store.
    /// </summary>
    [Fact]
    public async Task Opening_a_store_flushes_its_file_system_once()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "store");
        await (await BlockStore.OpenAsync(path)).DisposeAsync();

        var sync = new ScriptedSync();
        await using var store = await BlockStore.OpenAsync(path, new BlockStoreOptions { Sync = sync });
        var fileSystemFlushes = sync.Calls.Where(c => c.Kind == SyncKind.FileSystem).ToList();
        Assert.Single(fileSystemFlushes);
        Assert.Equal(store.Directory, fileSystemFlushes[0].Path);
        Assert.Equal(SyncKind.FileSystem, sync.Calls[0].Kind); // before anything of the store is read or cleaned up
    }

    // The Linux values: asm-generic/fcntl.h O_DIRECTORY 0200000 (x86, x86-64); arch/arm(64) asm/fcntl.h 040000,
    // where 0200000 is O_DIRECT.
    [Theory]
    [InlineData(Architecture.X64, 0x10000)]
    [InlineData(Architecture.X86, 0x10000)]
    [InlineData(Architecture.Arm64, 0x4000)]
    [InlineData(Architecture.Arm, 0x4000)]
    [InlineData(Architecture.Wasm, 0)] // unchecked: plain O_RDONLY, never a guessed bit
    public void Directory_open_flags_match_the_architecture(Architecture architecture, int expected) =>
        Assert.Equal(expected, NativeSync.ReadOnlyDirectoryFlags(architecture));
}
