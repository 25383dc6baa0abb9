using Imago.Core.Buckets;
using Imago.Formats.Tests.Infrastructure;

namespace Imago.Core.Tests.Buckets;

/// <summary>A bucket store over a temp data directory, with one bucket made, and the helpers the bucket tests share.</summary>
public sealed class BucketStoreHarness : IDisposable
{
    public const string Region = "cn-hangzhou";
    public const string Bucket = "images";

    private readonly TempDirectory _data = new();

    private BucketStoreHarness()
    {
        Store = DirectoryBucketStore.Open(_data.Path);
    }

    public DirectoryBucketStore Store { get; private set; }

    public string DataDirectory => _data.Path;

    public string BucketDirectory => Path.Combine(_data.Path, "buckets", Region, Bucket);

    public static async Task<BucketStoreHarness> CreateAsync()
    {
        var harness = new BucketStoreHarness();
        await harness.Store.CreateBucketAsync(Region, Bucket, CancellationToken.None);
        return harness;
    }

    /// <summary>Opens the store again, as a new process would (and so sweeps the leftovers).</summary>
    public void Reopen() => Store = DirectoryBucketStore.Open(_data.Path);

    public Task<ObjectInfo> PutAsync(string key, byte[] content, CancellationToken cancellationToken = default) =>
        Store.PutObjectAsync(Region, Bucket, key, new MemoryStream(content), null, cancellationToken);

    public async Task<byte[]> GetAsync(string key)
    {
        await using var stream = await Store.OpenReadAsync(Region, Bucket, key, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Every file under the data directory, relative to it.</summary>
    public IReadOnlyList<string> AllFiles() =>
        [.. Directory.EnumerateFiles(_data.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_data.Path, f))];

    public IReadOnlyList<string> TemporaryFiles() => [.. Directory.EnumerateFiles(Path.Combine(BucketDirectory, "tmp"))];

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The bytes a file has on disk (st_blocks × block size): what shows that zeros were stored as holes.</summary>
    public static long AllocatedBytes(string path)
    {
        var output = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true })!;
        var fields = output.StandardOutput.ReadToEnd().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        output.WaitForExit();
        return long.Parse(fields[0]) * long.Parse(fields[1]);
    }

    public void Dispose() => _data.Dispose();

    /// <summary>Records reports on the caller's thread (Progress&lt;T&gt; would post them later), also from several threads.</summary>
    public sealed class SyncProgress(List<long> reports) : IProgress<long>
    {
        public void Report(long value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
