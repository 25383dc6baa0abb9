using System.Text.Json.Nodes;
using Imago.Cli;
using Imago.Formats.Conversion;
using Imago.Img;

namespace Imago.Client;

/// <summary>
/// Waits for the service's long operations with a progress bar (stderr; lines with -p off a terminal): a task
/// through DescribeTaskAttribute (TaskProcess, TaskStatus), an image through DescribeImages (Progress, Status).
/// Bounded by the settings' timeout; a failure is a <see cref="ClientException"/> with the task's ECS code and message.
/// </summary>
public sealed class OperationWaiter(EcsApiClient ecs, ClientSettings settings, CommandConsole console, TimeProvider? time = null)
{
    /// <summary>Every status an image can have: DescribeImages shows only Available ones by default (ecs-api.md 3.1).</summary>
    public const string AllStatuses = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The task's DescribeTaskAttribute once Finished; Failed or Cancelled throw.</summary>
    public async Task<JsonObject> WaitForTaskAsync(string region, string taskId, string what, CancellationToken cancellationToken)
    {
        var bar = Bar(what);
        return await PollAsync(async () =>
        {
            var task = await ecs.CallAsync("DescribeTaskAttribute", [new("RegionId", region), new("TaskId", taskId)], cancellationToken).ConfigureAwait(false);
            var status = EcsApiClient.Text(task, "TaskStatus");
            bar?.Report(new ConvertProgress((long)(EcsApiClient.Percent(EcsApiClient.Text(task, "TaskProcess")) * 100), 10000));
            return status switch
            {
                "Finished" => Done(bar, task),
                "Failed" or "Cancelled" or "CancelFailed" => throw TaskFailure(what, taskId, status, task),
                _ => null,
            };
        }, what, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The image once Available; CreateFailed or UnAvailable throw; an image that vanished throws.</summary>
    public async Task<JsonObject> WaitForImageAsync(string region, string imageId, string what, CancellationToken cancellationToken)
    {
        var bar = Bar(what);
        return await PollAsync(async () =>
        {
            var image = await DescribeImageAsync(ecs, region, imageId, cancellationToken).ConfigureAwait(false)
                ?? throw new ClientException($"{what}: image {imageId} no longer exists in {region} (the copy was cancelled or deleted)");
            var status = EcsApiClient.Text(image, "Status");
            bar?.Report(new ConvertProgress((long)(EcsApiClient.Percent(EcsApiClient.Text(image, "Progress")) * 100), 10000));
            return status switch
            {
                "Available" => Done(bar, image),
                "CreateFailed" or "UnAvailable" => throw new ClientException($"{what}: image {imageId} is {status}"),
                _ => null,
            };
        }, what, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The image's DescribeImages entry in any status, or null.</summary>
    public static async Task<JsonObject?> DescribeImageAsync(EcsApiClient ecs, string region, string imageId, CancellationToken cancellationToken)
    {
        var answer = await ecs.CallAsync("DescribeImages",
            [new("RegionId", region), new("ImageId", imageId), new("Status", AllStatuses), new("ImageOwnerAlias", "self")], cancellationToken).ConfigureAwait(false);
        return answer["Images"]?["Image"]?.AsArray().FirstOrDefault() as JsonObject;
    }

    private async Task<JsonObject> PollAsync(Func<Task<JsonObject?>> poll, string what, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + settings.Timeout;
        while (true)
        {
            if (await poll().ConfigureAwait(false) is { } done)
            {
                return done;
            }

            if (_time.GetUtcNow() >= deadline)
            {
                throw new ClientException($"{what}: still running after {settings.Timeout.TotalSeconds:0} s (--timeout); it goes on in the service");
            }

            await Task.Delay(settings.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private ProgressPrinter? Bar(string what)
    {
        if (!settings.ShowProgress)
        {
            return null;
        }

        console.Error.WriteLine(what);
        return new ProgressPrinter(console);
    }

    private static JsonObject Done(ProgressPrinter? bar, JsonObject result)
    {
        bar?.Report(new ConvertProgress(10000, 10000));
        return result;
    }

    private static ClientException TaskFailure(string what, string taskId, string? status, JsonObject task)
    {
        var operation = task["OperationProgressSet"]?["OperationProgress"]?.AsArray().FirstOrDefault();
        var code = EcsApiClient.Text(operation, "ErrorCode");
        var message = EcsApiClient.Text(operation, "ErrorMsg");
        return new ClientException(code is { Length: > 0 }
            ? $"{what}: {code}: {message}"
            : $"{what}: task {taskId} {status}");
    }
}
