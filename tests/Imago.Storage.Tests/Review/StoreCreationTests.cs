using Imago.Formats.Tests.Infrastructure;

namespace Imago.Storage.Tests.Review;

public sealed class StoreCreationTests
{
    [Fact]
    public async Task A_store_whose_creation_was_killed_before_store_json_was_renamed_opens()
    {
        // A process killed while creating the store leaves store.json.tmp and no store.json: the next open must
        // create the layout again, not fail forever on the leftover temp file.
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "store");
        Directory.CreateDirectory(path);
        await File.WriteAllTextAsync(Path.Combine(path, "store.json.tmp"), "{\"formatVer");

        await using var store = await BlockStore.OpenAsync(path, new BlockStoreOptions { ChunkSize = 64 * 1024 });
        Assert.Equal(64 * 1024, store.ChunkSize);
        Assert.False(File.Exists(Path.Combine(path, "store.json.tmp")));
    }
}
