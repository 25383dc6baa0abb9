using Imago.Api.Tests.Infrastructure;
using Imago.Core.Storage;
using Imago.Data;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Robustness;

/// <summary>
/// Issue rule 7's "concurrent requests on the same resources stay consistent": every action that changes an instance
/// or its disks fired at once on one instance. Each answer is a success or a documented 4xx (OperationConflict
/// included), and afterwards rows and block-store objects match one to one: no disk row without its volume, no
/// volume without its row, no snapshot row without bytes, no snapshot bytes nothing points at.
/// </summary>
public sealed class ConcurrencyTests(ImagoServer server, ITestOutputHelper output) : IClassFixture<ImagoServer>
{
    private const int Rounds = 6;

    [Fact]
    public async Task EveryChangeToOneInstanceAtOnceLeavesRowsAndBytesInStep()
    {
        var client = await ClientAsync(server);
        var image = await AddImageAsync(server, 0x61);
        var other = await AddImageAsync(server, 0x62);
        var answers = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var instance = await RunInstanceAsync(client, image, ("DataDisk.1.Size", "20"), ("DataDisk.1.DeleteWithInstance", round % 2 == 0 ? "true" : "false"));
            var data = Text((await DisksAsync(client, instance))[1], "DiskId");
            if (round % 3 == 0)
            {
                await client.CallOkAsync("StopInstance", Params(("InstanceId", instance)));
            }

            // The order differs per round, so different requests win.
            (string Action, Dictionary<string, string> Parameters)[] calls =
            [
                ("StopInstance", Params(("InstanceId", instance))),
                ("StartInstance", Params(("InstanceId", instance))),
                ("ReplaceSystemDisk", Params(("InstanceId", instance), ("ImageId", other))),
                ("CreateSnapshot", Params(("DiskId", data))),
                ("CreateImage", Params(("RegionId", Region), ("InstanceId", instance))),
                ("DeleteInstance", Params(("InstanceId", instance), ("Force", "true"))),
                ("DeleteDisk", Params(("DiskId", data))),
                ("DescribeDisks", Params(("RegionId", Region), ("InstanceId", instance))),
            ];
            var rotated = calls.Skip(round % calls.Length).Concat(calls.Take(round % calls.Length));
            var responses = await Task.WhenAll(rotated.Select(c => Task.Run(() => client.CallAsync(c.Action, c.Parameters))));
            answers.AddRange(responses.Select(r => $"{(int)r.Status} {r.Code ?? "OK"}"));
            Assert.All(responses, r => Assert.True((int)r.Status is 200 or (>= 400 and < 500) && r.RequestId is { Length: > 0 }, r.Body));
        }

        output.WriteLine(string.Join(", ", answers.GroupBy(a => a).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} x{g.Count()}")));
        await SettleAsync(client);
        await AssertRowsAndBytesInStepAsync();
        Assert.DoesNotContain("unexpected exception", server.LogText, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("200 OK", answers);
    }

    /// <summary>Waits (bounded) until no image is Creating and no snapshot progressing: tasks finish their own rows.</summary>
    private static async Task SettleAsync(EcsClient client)
    {
        for (var i = 0; i < 200; i++)
        {
            var images = await client.CallOkAsync("DescribeImages", Params(("RegionId", Region), ("ImageOwnerAlias", "self"), ("Status", "Creating"), ("PageSize", "100")));
            var snapshots = await client.CallOkAsync("DescribeSnapshots", Params(("RegionId", Region), ("Status", "progressing"), ("PageSize", "100")));
            if (images["Images"]!["Image"]!.AsArray().Count == 0 && snapshots["Snapshots"]!["Snapshot"]!.AsArray().Count == 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("images or snapshots are still being created");
    }

    private async Task AssertRowsAndBytesInStepAsync()
    {
        var store = server.GetRequiredService<RegionStores>()[Region];
        await using var db = server.GetRequiredService<ImagoDatabase>().CreateContext();
        var diskRows = await db.Disks.Where(d => d.RegionId == Region).Select(d => d.Id).ToListAsync();
        var snapshotRows = await db.Snapshots.Where(s => s.RegionId == Region).Select(s => s.Id).ToListAsync();
        var mapped = await db.ImageDiskMappings.Where(m => m.RegionId == Region && m.SnapshotId != null).Select(m => m.SnapshotId!).ToListAsync();

        // This server is this class's own: every volume in the store is one of these disks.
        Assert.Equal(diskRows.Order(StringComparer.Ordinal), store.ListVolumes().Order(StringComparer.Ordinal));
        Assert.Equal(snapshotRows.Concat(mapped).Distinct().Order(StringComparer.Ordinal), store.ListSnapshots().Order(StringComparer.Ordinal));
    }
}
