using System.Text;
using Imago.Storage.Tests.Infrastructure;
using Imago.Storage.Tests.Nbd;
using Imago.Storage.Tests.StoreNbd;

namespace Imago.Storage.Tests.Review;

/// <summary>
/// An export that exists but cannot be opened (a damaged record, a volume open elsewhere) is answered with an
/// NBD_REP_ERR_UNKNOWN reply to that GO or INFO, not a dropped connection: the client can try another export.
/// </summary>
public sealed class UnopenableExportTests
{
    [Fact]
    public async Task Go_on_an_unopenable_export_gets_an_error_reply_and_the_client_can_choose_another()
    {
        await using var f = await StoreFixture.CreateAsync();
        await f.Store.CreateVolumeAsync("good", 1 << 20);
        await f.Store.CreateVolumeAsync("busy", 1 << 20);
        await f.Store.CreateVolumeAsync("damaged", 1 << 20);
        await File.WriteAllTextAsync(Path.Combine(f.Path, "volumes", "damaged.json"), "{ not json");
        await using var held = await f.Store.OpenVolumeAsync("busy"); // open outside the NBD server
        await using var server = new StoreNbdServer(f.Store);

        await using var client = await RawNbdClient.ConnectAsync(server.Port, server.Timeout);
        await client.SendClientFlagsAsync(3);
        foreach (var (option, name, problem) in new[]
                 {
                     (RawNbdClient.OptGo, "damaged", "not valid JSON"),
                     (RawNbdClient.OptInfo, "damaged", "not valid JSON"),
                     (RawNbdClient.OptGo, "busy", "already open"),
                 })
        {
            await client.SendOptionAsync(option, RawNbdClient.InfoRequest(name));
            var (repliedTo, type, data) = await client.ReadOptionReplyAsync();
            Assert.Equal(option, repliedTo);
            Assert.Equal(RawNbdClient.RepErrUnknown, type);
            var message = Encoding.UTF8.GetString(data);
            Assert.Contains(name, message, StringComparison.Ordinal);
            Assert.Contains(problem, message, StringComparison.Ordinal);
        }

        // Same connection, another export: haggling went on.
        var (size, _) = await client.GoAsync("good");
        Assert.Equal(1UL << 20, size);
        await client.SendRequestAsync(RawNbdClient.CmdRead, 1, 0, 4096);
        var (error, cookie, read) = await client.ReadReplyAsync(4096);
        Assert.Equal(0U, error);
        Assert.Equal(1UL, cookie);
        Assert.All(read, b => Assert.Equal(0, b));

        // And the server still serves others.
        var other = await QemuClient.IoAsync(server.Url("good"), server.Timeout, "read -P 0 0 64k");
        Assert.True(other.Succeeded, other.Output);
    }
}
