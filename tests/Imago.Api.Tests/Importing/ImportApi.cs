using System.Text.Json;
using System.Text.Json.Nodes;
using Imago.Api.Tests.Infrastructure;
using Imago.Core.Buckets;
using Imago.Core.Importing;
using Imago.Core.Storage;
using Imago.Data;
using Imago.Formats.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Imago.Api.Tests.Compute.ComputeApi;
using static Imago.Api.Tests.Snapshots.SnapshotsApi;

namespace Imago.Api.Tests.Importing;

/// <summary>What the import tests share: disk files made by qemu-img, objects put in a bucket, the task's view.</summary>
internal static class ImportApi
{
    /// <summary>A disk in <paramref name="format"/> (qemu-img's name) with 64 KiB of <paramref name="pattern"/> at 1 MiB, put in a new bucket.</summary>
    public static async Task<(string Bucket, string Key)> PutDiskAsync(ImagoServer server, TempDirectory temp, string format, byte pattern,
        long size = 64L << 20, string? options = null)
    {
        var path = Path.Combine(temp.Path, $"disk-{Guid.NewGuid():N}.{format}");
        QemuImg.Create(path, format, size, options);
        if (format is "raw" or "qcow2" or "vpc")
        {
            QemuImg.IoCommands(path, format, $"write -P 0x{pattern:x2} 1M 64k");
        }

        var buckets = server.GetRequiredService<IBucketStore>();
        var bucket = "imports-" + Guid.NewGuid().ToString("N")[..12];
        await buckets.CreateBucketAsync(Region, bucket, CancellationToken.None);
        var key = $"images/{Path.GetFileName(path)}";
        await using (var file = File.OpenRead(path))
        {
            await buckets.PutObjectAsync(Region, bucket, key, file, null, CancellationToken.None);
        }

        return (bucket, key);
    }

    public static async Task<(string ImageId, string TaskId)> ImportAsync(EcsClient client, params (string Key, string Value)[] parameters)
    {
        var response = await client.CallOkAsync("ImportImage", Params([("RegionId", Region), .. parameters]));
        Assert.Equal(Region, Text(response, "RegionId"));
        return (Text(response, "ImageId"), Text(response, "TaskId"));
    }

    public static Task<JsonObject> TaskAsync(EcsClient client, string taskId) =>
        client.CallOkAsync("DescribeTaskAttribute", Params(("RegionId", Region), ("TaskId", taskId)));

    /// <summary>The task's DescribeTaskAttribute once it has left Processing (bounded).</summary>
    public static async Task<JsonObject> WaitForTaskAsync(EcsClient client, string taskId)
    {
        for (var i = 0; i < 600; i++)
        {
            var task = await TaskAsync(client, taskId);
            if (Text(task, "TaskStatus") != "Processing")
            {
                return task;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"task {taskId} is still Processing");
    }

    public static string ErrorCode(JsonObject task) => Text(task["OperationProgressSet"]!["OperationProgress"]![0]!, "ErrorCode");

    public static string ErrorMessage(JsonObject task) => Text(task["OperationProgressSet"]!["OperationProgress"]![0]!, "ErrorMsg");

    /// <summary>True when none of the snapshots the task planned exist in the store or the database.</summary>
    public static async Task<bool> NothingLeftAsync(ImagoServer server, string taskId)
    {
        await using var db = server.GetRequiredService<ImagoDatabase>().CreateContext();
        var row = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == taskId);
        var payload = JsonSerializer.Deserialize<ImportImagePayload>(row.Payload)!;
        var ids = payload.Disks.Select(d => d.SnapshotId).ToList();
        var store = server.GetRequiredService<RegionStores>()[Region];
        return ids.Count > 0 && ids.All(id => !store.SnapshotExists(id)) && !await db.Snapshots.AnyAsync(s => ids.Contains(s.Id));
    }
}
