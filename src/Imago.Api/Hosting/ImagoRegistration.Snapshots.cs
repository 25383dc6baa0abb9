using Imago.Api.Actions.ImageCreation;
using Imago.Api.Actions.Snapshots;
using Imago.Api.Actions.Tasks;
using Imago.Api.Rpc;
using Imago.Core.ImageCreation;
using Imago.Core.Snapshots;
using Imago.Core.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imago.Api.Hosting;

public static partial class ImagoRegistration
{
    /// <summary>Snapshots, CreateImage, and the task runner with DescribeTasks/DescribeTaskAttribute/CancelTask.</summary>
    static partial void AddSnapshots(IServiceCollection services)
    {
        services.TryAddSingleton(new TaskRunnerOptions());
        services.AddSingleton<TaskRunner>();
        services.AddSingleton<TaskQueries>();
        services.AddHostedService<TaskRunnerHostedService>();

        services.AddSingleton<SnapshotFinalizer>();
        services.AddSingleton<SnapshotService>();
        services.AddSingleton<SnapshotQueries>();
        services.AddSingleton<SnapshotRetention>();
        services.AddHostedService<SnapshotRetentionService>();
        services.AddSingleton<ImageCreationService>();
        services.AddSingleton<ITaskHandler, CreateSnapshotTaskHandler>();
        services.AddSingleton<ITaskHandler, CreateImageTaskHandler>();

        services.AddSingleton<IEcsActionHandler, CreateSnapshotHandler>();
        services.AddSingleton<IEcsActionHandler, DescribeSnapshotsHandler>();
        services.AddSingleton<IEcsActionHandler, DeleteSnapshotHandler>();
        services.AddSingleton<IEcsActionHandler, CreateImageHandler>();
        services.AddSingleton<IEcsActionHandler, DescribeTasksHandler>();
        services.AddSingleton<IEcsActionHandler, DescribeTaskAttributeHandler>();
        services.AddSingleton<IEcsActionHandler, CancelTaskHandler>();
    }
}
