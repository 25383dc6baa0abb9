using Imago.Api.Tests.Infrastructure;
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
        await StoreConsistency.AssertInStepAsync(server, client);
        Assert.DoesNotContain("unexpected exception", server.LogText, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("200 OK", answers);
    }
}
