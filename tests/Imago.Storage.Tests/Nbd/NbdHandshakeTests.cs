using System.Buffers.Binary;
using System.Text;
using static Imago.Storage.Tests.Nbd.RawNbdClient;

namespace Imago.Storage.Tests.Nbd;

/// <summary>Option haggling at the byte level: what qemu's clients do not exercise.</summary>
public sealed class NbdHandshakeTests
{
    [Fact]
    public async Task Greeting_AdvertisesFixedNewstyleAndNoZeroes()
    {
        await using var server = new NbdTestServer();
        await using var client = await ConnectAsync(server.Port, server.Timeout);

        Assert.Equal(3, client.HandshakeFlags);
    }

    [Fact]
    public async Task ExportName_SendsSizeFlagsAndPaddingUnlessNoZeroes()
    {
        await using var server = new NbdTestServer();
        server.Exports.Add("disk", 123 * 4096);

        foreach (var (clientFlags, padding) in new[] { (1u, 124), (3u, 0) })
        {
            await using var client = await ConnectAsync(server.Port, server.Timeout);
            await client.SendClientFlagsAsync(clientFlags);
            await client.SendOptionAsync(OptExportName, Encoding.UTF8.GetBytes("disk"));
            var reply = await client.ReadAsync(10 + padding);

            Assert.Equal(123UL * 4096, BinaryPrimitives.ReadUInt64BigEndian(reply));
            Assert.Equal(0b110_1101, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(8)));
            Assert.True(reply.AsSpan(10).IndexOfAnyExcept((byte)0) < 0);

            // The transmission phase follows: a read of the first sector.
            await client.SendRequestAsync(CmdRead, 1, 0, 512);
            var (error, cookie, data) = await client.ReadReplyAsync(512);
            Assert.Equal((0u, 1UL, 512), (error, cookie, data.Length));
        }
    }

    [Fact]
    public async Task ExportName_UnknownExportClosesTheConnection()
    {
        await using var server = new NbdTestServer();
        await using var client = await ConnectAsync(server.Port, server.Timeout);
        await client.SendClientFlagsAsync(3);
        await client.SendOptionAsync(OptExportName, Encoding.UTF8.GetBytes("missing"));

        Assert.True(await client.IsClosedByServerAsync());
        await server.AssertQemuStillWorksAsync();
    }

    [Fact]
    public async Task Info_ReportsSizeFlagsBlockSizesAndName_ThenHagglingGoesOn()
    {
        await using var server = new NbdTestServer();
        server.Exports.Add("snap", 8192, readOnly: true);
        await using var client = await ConnectAsync(server.Port, server.Timeout);
        await client.SendClientFlagsAsync(3);

        await client.SendOptionAsync(OptInfo, InfoRequest("snap", 1, 3));
        var infos = new Dictionary<ushort, byte[]>();
        while (true)
        {
            var (option, type, data) = await client.ReadOptionReplyAsync();
            Assert.Equal(OptInfo, option);
            if (type == RepAck)
            {
                break;
            }

            Assert.Equal(RepInfo, type);
            infos[BinaryPrimitives.ReadUInt16BigEndian(data)] = data;
        }

        Assert.Equal(8192UL, BinaryPrimitives.ReadUInt64BigEndian(infos[0].AsSpan(2)));
        Assert.Equal(0b111, BinaryPrimitives.ReadUInt16BigEndian(infos[0].AsSpan(10))); // HAS_FLAGS|READ_ONLY|FLUSH
        Assert.Equal("snap", Encoding.UTF8.GetString(infos[1].AsSpan(2)));
        Assert.Equal(1U, BinaryPrimitives.ReadUInt32BigEndian(infos[3].AsSpan(2)));
        Assert.Equal(4096U, BinaryPrimitives.ReadUInt32BigEndian(infos[3].AsSpan(6)));
        Assert.Equal(32U << 20, BinaryPrimitives.ReadUInt32BigEndian(infos[3].AsSpan(10)));
        await server.WaitForHandlesAsync(0); // INFO opened the export only to describe it

        var (size, flags) = await client.GoAsync("snap");
        Assert.Equal((8192UL, (ushort)0b111), (size, flags));
    }

    [Theory]
    [InlineData(OptInfo)]
    [InlineData(OptGo)]
    public async Task InfoAndGo_UnknownExportIsAnErrorReplyNotAClose(uint option)
    {
        await using var server = new NbdTestServer();
        server.Exports.Add("disk", 4096);
        await using var client = await ConnectAsync(server.Port, server.Timeout);
        await client.SendClientFlagsAsync(3);

        await client.SendOptionAsync(option, InfoRequest("nope"));
        var (_, type, message) = await client.ReadOptionReplyAsync();

        Assert.Equal(RepErrUnknown, type);
        Assert.Contains("nope", Encoding.UTF8.GetString(message), StringComparison.Ordinal);
        Assert.Equal((4096UL, (ushort)0b110_1101), await client.GoAsync("disk"));
    }

    [Fact]
    public async Task InfoAndGo_MalformedDataIsErrInvalid()
    {
        await using var server = new NbdTestServer();
        server.Exports.Add("disk", 4096);
        await using var client = await ConnectAsync(server.Port, server.Timeout);
        await client.SendClientFlagsAsync(3);

        byte[][] malformed =
        [
            [1, 2, 3],                                                  // shorter than the fixed fields
            [.. U32(0xFFFFFFF0), .. U16(0)],                            // name length beyond the data
            [.. U32(4), .. "disk"u8.ToArray(), .. U16(3), .. U16(1)],   // 3 info requests announced, 1 sent
            InfoRequest(new string('x', 4097)),                         // names are at most 4096 bytes
        ];
        foreach (var data in malformed)
        {
            await client.SendOptionAsync(OptGo, data);
            Assert.Equal(RepErrInvalid, (await client.ReadOptionReplyAsync()).Type);
        }

        Assert.Equal(4096UL, (await client.GoAsync("disk")).Size);
    }

    [Theory]
    [InlineData(OptStartTls)]
    [InlineData(OptStructuredReply)]
    [InlineData(9u)]   // LIST_META_CONTEXT
    [InlineData(10u)]  // SET_META_CONTEXT
    [InlineData(4711u)]
    public async Task UnsupportedOptions_AreErrUnsupAndHagglingGoesOn(uint option)
    {
        await using var server = new NbdTestServer();
        server.Exports.Add("disk", 4096);
        await using var client = await ConnectAsync(server.Port, server.Timeout);
        await client.SendClientFlagsAsync(3);

        await client.SendOptionAsync(option, [1, 2, 3, 4]);
        var (echoed, type, _) = await client.ReadOptionReplyAsync();

        Assert.Equal((option, RepErrUnsup), (echoed, type));
        Assert.Equal(4096UL, (await client.GoAsync("disk")).Size);
    }

    [Fact]
    public async Task List_AnnouncesNamesAndDescriptions_AndRejectsData()
    {
        await using var server = new NbdTestServer();
        server.Exports.Add("a", 4096);
        server.Exports.Add("bb", 4096);
        await using var client = await ConnectAsync(server.Port, server.Timeout);
        await client.SendClientFlagsAsync(3);

        await client.SendOptionAsync(OptList, [0]);
        Assert.Equal(RepErrInvalid, (await client.ReadOptionReplyAsync()).Type);

        await client.SendOptionAsync(OptList, []);
        var names = new List<string>();
        while (true)
        {
            var (_, type, data) = await client.ReadOptionReplyAsync();
            if (type == RepAck)
            {
                break;
            }

            Assert.Equal(RepServer, type);
            var nameLength = (int)BinaryPrimitives.ReadUInt32BigEndian(data);
            names.Add(Encoding.UTF8.GetString(data, 4, nameLength) + "|" + Encoding.UTF8.GetString(data, 4 + nameLength, data.Length - 4 - nameLength));
        }

        Assert.Equal(["a|test a", "bb|test bb"], names);
    }

    [Fact]
    public async Task Abort_IsAcknowledgedAndClosed()
    {
        await using var server = new NbdTestServer();
        await using var client = await ConnectAsync(server.Port, server.Timeout);
        await client.SendClientFlagsAsync(1);

        await client.SendOptionAsync(OptAbort, []);

        var (option, type, _) = await client.ReadOptionReplyAsync();
        Assert.Equal((OptAbort, RepAck), (option, type));
        Assert.True(await client.IsClosedByServerAsync());
    }
}
