using Imago.Storage.Nbd;
using static Imago.Storage.Tests.Nbd.RawNbdClient;

namespace Imago.Storage.Tests.Nbd;

/// <summary>
/// Malformed handshakes and requests: each costs the offending client its connection (or gets an error reply),
/// never the server; a fresh qemu-io works afterwards every time.
/// </summary>
public sealed class NbdHostileClientTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task UnknownClientFlags_CloseTheConnection()
    {
        await using var server = new NbdTestServer();
        await using var client = await ConnectAsync(server.Port, server.Timeout);

        await client.SendClientFlagsAsync(0x80);

        Assert.True(await client.IsClosedByServerAsync());
        Assert.IsType<NbdProtocolException>(Assert.Single(server.Failures));
        await server.AssertQemuStillWorksAsync();
    }

    [Fact]
    public async Task OptionWithBadMagic_ClosesTheConnection()
    {
        await using var server = new NbdTestServer();
        await using var client = await ConnectAsync(server.Port, server.Timeout);
        await client.SendClientFlagsAsync(3);

        await client.SendAsync([.. U64(0x1122334455667788), .. U32(OptList), .. U32(0)]);

        Assert.True(await client.IsClosedByServerAsync());
        Assert.IsType<NbdProtocolException>(Assert.Single(server.Failures));
        await server.AssertQemuStillWorksAsync();
    }

    [Fact]
    public async Task HugeOptionLength_IsRejectedWithoutWaitingForTheData()
    {
        await using var server = new NbdTestServer();
        await using var client = await ConnectAsync(server.Port, server.Timeout);
        await client.SendClientFlagsAsync(3);

        // 4 GiB announced, nothing sent: a server that tried to buffer it would wait here instead of closing.
        await client.SendAsync([.. U64(OptionMagic), .. U32(OptGo), .. U32(0xFFFFFFFF)]);

        Assert.True(await client.IsClosedByServerAsync());
        Assert.IsType<NbdProtocolException>(Assert.Single(server.Failures));
        await server.AssertQemuStillWorksAsync();
    }

    [Fact]
    public async Task TruncatedOption_ThenHangUp_OnlyEndsThatConnection()
    {
        await using var server = new NbdTestServer();
        server.Exports.Add("disk", MiB);
        await using (var client = await ConnectAsync(server.Port, server.Timeout))
        {
            await client.SendClientFlagsAsync(3);
            await client.SendAsync([.. U64(OptionMagic), .. U32(OptGo), .. U32(100), .. new byte[10]]);
            client.Abort();
        }

        await server.WaitForIdleAsync();
        Assert.Equal(0, server.Exports.OpenHandles);
        await server.AssertQemuStillWorksAsync();
    }

    [Fact]
    public async Task SilentClient_IsDroppedAfterTheHandshakeTimeout()
    {
        await using var server = new NbdTestServer(options: new Imago.Storage.Nbd.NbdServerOptions
        {
            HandshakeTimeout = TimeSpan.FromMilliseconds(200),
        });
        await using var client = await ConnectAsync(server.Port, server.Timeout);

        Assert.True(await client.IsClosedByServerAsync());
        await server.AssertQemuStillWorksAsync();
    }

    [Fact]
    public async Task RequestWithBadMagic_ClosesTheConnection()
    {
        await using var server = new NbdTestServer();
        server.Exports.Add("disk", MiB);
        var (client, _, _) = await OpenAsync(server.Port, "disk", server.Timeout);
        await using (client)
        {
            await client.SendAsync(RequestHeader(0, CmdRead, 1, 0, 4096, magic: 0xdeadbeef));

            Assert.True(await client.IsClosedByServerAsync());
        }

        await server.AssertQemuStillWorksAsync();
    }

    [Fact]
    public async Task ReadBeyondTheLengthCap_IsEinvalAndTheConnectionGoesOn()
    {
        await using var server = new NbdTestServer();
        server.Exports.Add("disk", 64 * MiB);
        var (client, _, _) = await OpenAsync(server.Port, "disk", server.Timeout);
        await using (client)
        {
            await client.SendRequestAsync(CmdRead, 1, 0, (32 * MiB) + 1);
            Assert.Equal((EINVAL, 1UL), Head(await client.ReadReplyAsync()));

            await client.SendRequestAsync(CmdRead, 2, 0, 0xFFFFFFFF);
            Assert.Equal((EINVAL, 2UL), Head(await client.ReadReplyAsync()));

            await client.SendRequestAsync(CmdRead, 3, 0, 0);
            Assert.Equal((EINVAL, 3UL), Head(await client.ReadReplyAsync()));

            await client.SendRequestAsync(CmdRead, 4, 0, 4096);
            Assert.Equal((0u, 4UL), Head(await client.ReadReplyAsync(4096)));
        }
    }

    [Fact]
    public async Task WriteBeyondTheLengthCap_IsEinvalThenClosed_WithoutWaitingForThePayload()
    {
        await using var server = new NbdTestServer();
        var device = server.Exports.Add("disk", 64 * MiB);
        var (client, _, _) = await OpenAsync(server.Port, "disk", server.Timeout);
        await using (client)
        {
            await client.SendRequestAsync(CmdWrite, 9, 0, 0xFFFFFFFF);

            Assert.Equal((EINVAL, 9UL), Head(await client.ReadReplyAsync()));
            Assert.True(await client.IsClosedByServerAsync());
        }

        Assert.Equal(0, device.Writes);
        await server.AssertQemuStillWorksAsync();
    }

    [Fact]
    public async Task OutOfRangeRequests_AreRejectedAndTheConnectionGoesOn()
    {
        await using var server = new NbdTestServer();
        var device = server.Exports.Add("disk", MiB);
        var (client, _, _) = await OpenAsync(server.Port, "disk", server.Timeout);
        await using (client)
        {
            await client.SendRequestAsync(CmdRead, 1, MiB - 512, 1024);
            Assert.Equal((EINVAL, 1UL), Head(await client.ReadReplyAsync()));

            await client.SendRequestAsync(CmdRead, 2, ulong.MaxValue - 100, 4096); // offset + length overflows
            Assert.Equal((EINVAL, 2UL), Head(await client.ReadReplyAsync()));

            await client.SendRequestAsync(CmdWrite, 3, MiB - 512, 1024, new byte[1024]);
            Assert.Equal((ENOSPC, 3UL), Head(await client.ReadReplyAsync()));

            await client.SendRequestAsync(CmdWriteZeroes, 4, MiB, 1);
            Assert.Equal((ENOSPC, 4UL), Head(await client.ReadReplyAsync()));

            await client.SendRequestAsync(CmdTrim, 5, 0, MiB + 1);
            Assert.Equal((EINVAL, 5UL), Head(await client.ReadReplyAsync()));

            await client.SendRequestAsync(CmdWrite, 6, 0, 4, [1, 2, 3, 4]); // framing survived the rejected payload
            Assert.Equal((0u, 6UL), Head(await client.ReadReplyAsync()));
        }

        Assert.Equal(1, device.Writes);
        Assert.Equal<byte>([1, 2, 3, 4], device.Snapshot()[..4]);
    }

    [Fact]
    public async Task UnknownCommandsAndFlags_AreEinval()
    {
        await using var server = new NbdTestServer();
        server.Exports.Add("disk", MiB);
        var (client, _, _) = await OpenAsync(server.Port, "disk", server.Timeout);
        await using (client)
        {
            await client.SendRequestAsync(42, 1, 0, 4096);
            Assert.Equal((EINVAL, 1UL), Head(await client.ReadReplyAsync()));

            await client.SendRequestAsync(7, 2, 0, 4096); // BLOCK_STATUS without a negotiated meta context
            Assert.Equal((EINVAL, 2UL), Head(await client.ReadReplyAsync()));

            await client.SendRequestAsync(CmdRead, 3, 0, 4096, flags: 1 << 4); // FAST_ZERO was not advertised
            Assert.Equal((EINVAL, 3UL), Head(await client.ReadReplyAsync()));
        }

        await server.AssertQemuStillWorksAsync();
    }

    [Fact]
    public async Task ClientDisconnectingMidWrite_LeavesTheDeviceUntouched()
    {
        await using var server = new NbdTestServer();
        var device = server.Exports.Add("disk", 4 * MiB);
        var (client, _, _) = await OpenAsync(server.Port, "disk", server.Timeout);
        await using (client)
        {
            // A 1 MiB write is promised, 1000 bytes arrive, then the client vanishes.
            await client.SendAsync([.. RequestHeader(0, CmdWrite, 1, 0, MiB), .. Enumerable.Repeat((byte)0xee, 1000)]);
            client.Abort();
        }

        await server.WaitForIdleAsync();
        Assert.Equal(0, device.Writes);
        Assert.True(device.Snapshot().AsSpan().IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(0, server.Exports.OpenHandles);
        await server.AssertQemuStillWorksAsync();
    }

    [Fact]
    public async Task ClientDisconnectingMidHeader_OnlyEndsThatConnection()
    {
        await using var server = new NbdTestServer();
        server.Exports.Add("disk", MiB);
        var (client, _, _) = await OpenAsync(server.Port, "disk", server.Timeout);
        await using (client)
        {
            await client.SendAsync(RequestHeader(0, CmdRead, 1, 0, 4096)[..11]);
            client.Abort();
        }

        await server.WaitForIdleAsync();
        Assert.Equal(0, server.Exports.OpenHandles);
        await server.AssertQemuStillWorksAsync();
    }

    [Fact]
    public async Task ConnectionsBeyondTheLimit_AreClosedOnAccept()
    {
        await using var server = new NbdTestServer(options: new NbdServerOptions { MaxConnections = 1 });
        await using (var first = await ConnectAsync(server.Port, server.Timeout))
        {
            await Assert.ThrowsAnyAsync<IOException>(() => ConnectAsync(server.Port, server.Timeout));
        }

        await server.WaitForIdleAsync();
        await server.AssertQemuStillWorksAsync();
    }

    private static (uint Error, ulong Cookie) Head((uint Error, ulong Cookie, byte[] Data) reply) => (reply.Error, reply.Cookie);
}
