using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Imago.Api.Tests.Infrastructure;

namespace Imago.Api.Tests.Objects;

/// <summary>A 64 MiB PUT reaches the disk while it is still being sent: the object API streams, it does not buffer.</summary>
public sealed class LargeUploadTests(ImagoServer server) : IClassFixture<ImagoServer>
{
    private const string Region = "cn-hangzhou";
    private const int Size = 64 << 20;
    private const int Chunk = 1 << 20;

    [Fact]
    public async Task A_64_MiB_upload_is_written_to_disk_as_it_arrives()
    {
        var account = await server.CreateAccountAsync();
        var client = new OssTestClient(server.Http, account.AccessKeyId, account.AccessKeySecret, Region);
        var bucket = "big-" + Guid.NewGuid().ToString("N")[..12];
        (await client.PutBucketAsync(bucket)).AssertStatus(200);
        var temporary = Path.Combine(server.DataDirectory, "buckets", Region, bucket, "tmp");

        var content = new PausingContent(temporary);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = Size;
        content.Headers.ContentMD5 = PausingContent.Md5();
        var put = await client.SendAsync(HttpMethod.Put, bucket, "disk.raw", content);
        put.AssertStatus(200);

        // Three quarters in, the server had already written at least half of the body to its temporary file.
        Assert.True(content.BytesOnDiskAtPause >= Size / 2, $"only {content.BytesOnDiskAtPause} bytes were on disk after {Size * 3 / 4} were sent");
        var head = (await client.SendAsync(HttpMethod.Head, bucket, "disk.raw")).AssertStatus(200);
        Assert.Equal(Size, head.ContentHeaders.ContentLength);
        var tail = (await client.GetAsync(bucket, "disk.raw", $"bytes={Size - Chunk}-")).AssertStatus(206);
        Assert.Equal(PausingContent.ChunkAt(Size / Chunk - 1), tail.Body);
    }

    [Fact]
    public async Task An_upload_cut_off_midway_stores_nothing_and_keeps_the_previous_object()
    {
        var account = await server.CreateAccountAsync();
        var client = new OssTestClient(server.Http, account.AccessKeyId, account.AccessKeySecret, Region);
        var bucket = "cut-" + Guid.NewGuid().ToString("N")[..12];
        (await client.PutBucketAsync(bucket)).AssertStatus(200);
        (await client.PutAsync(bucket, "disk.raw", [1, 2, 3])).AssertStatus(200);

        var content = new BrokenContent();
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = Size;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.SendAsync(HttpMethod.Put, bucket, "disk.raw", content));

        // The server notices the reset, drops its temp file, and the old object is what remains (bounded wait).
        var temporary = Path.Combine(server.DataDirectory, "buckets", Region, bucket, "tmp");
        for (var i = 0; i < 200 && Directory.EnumerateFiles(temporary).Any(); i++)
        {
            await Task.Delay(50);
        }

        Assert.Empty(Directory.EnumerateFiles(temporary));
        Assert.Equal([1, 2, 3], (await client.GetAsync(bucket, "disk.raw")).AssertStatus(200).Body);
    }

    /// <summary>Sends 8 MiB of a declared 64 MiB, then fails: the connection is reset mid-body.</summary>
    private sealed class BrokenContent : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var i = 0; i < 8; i++)
            {
                await stream.WriteAsync(new byte[Chunk]);
            }

            await stream.FlushAsync();
            throw new IOException("the client gave up");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = Size;
            return true;
        }
    }

    /// <summary>Sends 64 chunks of 1 MiB (mostly zeros, a marker per chunk); after 48 it waits until the server's temp file has grown.</summary>
    private sealed class PausingContent(string temporaryDirectory) : HttpContent
    {
        public long BytesOnDiskAtPause { get; private set; }

        public static byte[] ChunkAt(int index)
        {
            var chunk = new byte[Chunk];
            BitConverter.TryWriteBytes(chunk.AsSpan(index * 8 % (Chunk - 8)), (long)index + 1);
            return chunk;
        }

        public static byte[] Md5()
        {
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            for (var i = 0; i < Size / Chunk; i++)
            {
                md5.AppendData(ChunkAt(i));
            }

            return md5.GetHashAndReset();
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var i = 0; i < Size / Chunk; i++)
            {
                if (i == Size / Chunk * 3 / 4)
                {
                    await stream.FlushAsync();
                    BytesOnDiskAtPause = await WaitForTemporaryBytesAsync(Size / 2);
                }

                await stream.WriteAsync(ChunkAt(i));
            }
        }

        /// <summary>The temp file's length once it reaches <paramref name="atLeast"/>, or what it reached in 30 s (bounded).</summary>
        private async Task<long> WaitForTemporaryBytesAsync(long atLeast)
        {
            long seen = 0;
            for (var i = 0; i < 600 && seen < atLeast; i++)
            {
                seen = Directory.Exists(temporaryDirectory)
                    ? Directory.EnumerateFiles(temporaryDirectory).Select(f => new FileInfo(f).Length).DefaultIfEmpty(0).Max()
                    : 0;
                if (seen < atLeast)
                {
                    await Task.Delay(50);
                }
            }

            return seen;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = Size;
            return true;
        }
    }
}
