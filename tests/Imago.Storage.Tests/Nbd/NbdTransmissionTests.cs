using static Imago.Storage.Tests.Nbd.RawNbdClient;

namespace Imago.Storage.Tests.Nbd;

/// <summary>Command semantics checked byte for byte: error mapping, FUA, pipelining, DISC, shutdown.</summary>
public sealed class NbdTransmissionTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task WritesToAReadOnlyExport_AreEperm_AndReadsStillWork()
    {
        await using var server = new NbdTestServer();
        var device = server.Exports.Add("snap", MiB, readOnly: true);
        device.Fill(0, [7, 7, 7, 7]);
        var (client, _, flags) = await OpenAsync(server.Port, "snap", server.Timeout);
        await using (client)
        {
            Assert.NotEqual(0, flags & 2); // NBD_FLAG_READ_ONLY

            await client.SendRequestAsync(CmdWrite, 1, 0, 4, [1, 2, 3, 4]);
            await client.SendRequestAsync(CmdWriteZeroes, 2, 0, 4096);
            await client.SendRequestAsync(CmdTrim, 3, 0, 4096);
            await client.SendRequestAsync(CmdRead, 4, 0, 4);
            var replies = new Dictionary<ulong, (uint Error, byte[] Data)>();
            for (var i = 0; i < 4; i++)
            {
                var (error, cookie, data) = await client.ReadReplyAsync(4);
                replies[cookie] = (error, data);
            }

            Assert.Equal(EPERM, replies[1].Error);
            Assert.Equal(EPERM, replies[2].Error);
            Assert.Equal(EPERM, replies[3].Error);
            Assert.Equal(0u, replies[4].Error);
            Assert.Equal<byte>([7, 7, 7, 7], replies[4].Data);
        }

        Assert.Equal<byte>([7, 7, 7, 7], device.Snapshot()[..4]);
    }

    [Fact]
    public async Task DeviceFailures_AreEio()
    {
        await using var server = new NbdTestServer();
        var device = server.Exports.Add("disk", MiB);
        var (client, _, _) = await OpenAsync(server.Port, "disk", server.Timeout);
        await using (client)
        {
            device.Failing = true;
            await client.SendRequestAsync(CmdRead, 1, 0, 4096);
            Assert.Equal(EIO, (await client.ReadReplyAsync(4096)).Error);
            await client.SendRequestAsync(CmdWrite, 2, 0, 4, [1, 2, 3, 4]);
            Assert.Equal(EIO, (await client.ReadReplyAsync()).Error);

            device.Failing = false;
            await client.SendRequestAsync(CmdRead, 3, 0, 4096);
            var (error, cookie, data) = await client.ReadReplyAsync(4096);
            Assert.Equal((0u, 3UL, 4096), (error, cookie, data.Length));
        }
    }

    [Fact]
    public async Task ForceUnitAccess_FlushesAfterTheWrite()
    {
        await using var server = new NbdTestServer();
        var device = server.Exports.Add("disk", MiB);
        var (client, _, _) = await OpenAsync(server.Port, "disk", server.Timeout);
        await using (client)
        {
            await client.SendRequestAsync(CmdWrite, 1, 0, 4, [1, 2, 3, 4]);
            Assert.Equal(0u, (await client.ReadReplyAsync()).Error);
            Assert.Equal(0, device.Flushes);

            await client.SendRequestAsync(CmdWrite, 2, 0, 4, [5, 6, 7, 8], flags: 1);
            Assert.Equal(0u, (await client.ReadReplyAsync()).Error);
            Assert.Equal(1, device.Flushes);

            await client.SendRequestAsync(CmdWriteZeroes, 3, 4096, 4096, flags: 1 | 2); // FUA | NO_HOLE
            Assert.Equal(0u, (await client.ReadReplyAsync()).Error);
            Assert.Equal(2, device.Flushes);

            await client.SendRequestAsync(CmdFlush, 4, 0, 0);
            Assert.Equal(0u, (await client.ReadReplyAsync()).Error);
            Assert.Equal(3, device.Flushes);
        }
    }

    [Fact]
    public async Task PipelinedRequests_EachGetTheirOwnReply()
    {
        await using var server = new NbdTestServer();
        var device = server.Exports.Add("disk", 4 * MiB);
        var (client, _, _) = await OpenAsync(server.Port, "disk", server.Timeout);
        await using (client)
        {
            // 40 writes sent back to back (more than the in-flight bound), then 40 reads of them.
            var batch = new List<byte>();
            for (var i = 0; i < 40; i++)
            {
                batch.AddRange(RequestHeader(0, CmdWrite, (ulong)i, (ulong)i * 65536, 65536));
                batch.AddRange(Enumerable.Repeat((byte)(i + 1), 65536));
            }

            await client.SendAsync([.. batch]);
            var written = new HashSet<ulong>();
            for (var i = 0; i < 40; i++)
            {
                var (error, cookie, _) = await client.ReadReplyAsync();
                Assert.Equal(0u, error);
                Assert.True(written.Add(cookie));
            }

            for (var i = 0; i < 40; i++)
            {
                await client.SendRequestAsync(CmdRead, 1000 + (ulong)i, (ulong)i * 65536, 65536);
            }

            for (var i = 0; i < 40; i++)
            {
                var (error, cookie, data) = await client.ReadReplyAsync(65536);
                Assert.Equal(0u, error);
                Assert.True(data.AsSpan().IndexOfAnyExcept((byte)(cookie - 1000 + 1)) < 0, $"read {cookie}");
            }
        }

        Assert.Equal(40, device.Writes);
    }

    [Fact]
    public async Task Disconnect_RepliesToEarlierRequestsThenCloses()
    {
        await using var server = new NbdTestServer();
        var device = server.Exports.Add("disk", MiB);
        var (client, _, _) = await OpenAsync(server.Port, "disk", server.Timeout);
        await using (client)
        {
            await client.SendAsync([.. RequestHeader(0, CmdWrite, 1, 0, 4), 9, 9, 9, 9, .. RequestHeader(0, CmdDisc, 2, 0, 0)]);

            var (error, cookie, _) = await client.ReadReplyAsync();
            Assert.Equal((0u, 1UL), (error, cookie));
            Assert.True(await client.IsClosedByServerAsync());
        }

        await server.WaitForIdleAsync();
        Assert.Equal(0, server.Exports.OpenHandles);
        Assert.Equal<byte>([9, 9, 9, 9], device.Snapshot()[..4]);
    }

    [Fact]
    public async Task StopAsync_ClosesOpenConnectionsAndTheListener()
    {
        var server = new NbdTestServer();
        server.Exports.Add("disk", MiB);
        var port = server.Port;
        var (client, _, _) = await OpenAsync(port, "disk", server.Timeout);
        await using (client)
        {
            await server.Server.StopAsync(server.Timeout);

            Assert.True(await client.IsClosedByServerAsync());
            Assert.Equal(0, server.Server.ConnectionCount);
            Assert.Equal(0, server.Exports.OpenHandles);
            await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(async () =>
            {
                using var tcp = new System.Net.Sockets.TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port, server.Timeout);
            });
        }

        await server.DisposeAsync();
    }

    [Fact]
    public async Task NonPositiveLimits_AreRefusedAtStart()
    {
        await using var server = new Imago.Storage.Nbd.NbdServer(new TestExports(),
            new Imago.Storage.Nbd.NbdServerOptions { MaxOptionLength = -1 });

        Assert.Throws<ArgumentOutOfRangeException>(server.Start);
    }
}
