using System.Text.Json.Nodes;
using Imago.Api.Rpc;
using Imago.Core.Exporting;

namespace Imago.Api.Actions.Exporting;

/// <summary>ExportImage: <c>{"RegionId", "TaskId"}</c>; the objects appear in the bucket as the ExportImage task writes them.</summary>
public sealed class ExportImageHandler(ImageExportService exports) : IEcsActionHandler
{
    public string Action => "ExportImage";

    public async Task<JsonObject> HandleAsync(EcsRequest request, CancellationToken cancellationToken)
    {
        var p = request.Parameters;
        // RoleName (AliyunECSImageExportDefaultRole) is accepted and ignored: there is no RAM to assume a role in.
        _ = p.GetString("RoleName", 256);
        var export = new ExportImageRequest(
            RegionId: request.RegionId,
            ImageId: p.Require("ImageId", 128),
            OssBucket: p.Require("OSSBucket", 64),
            OssPrefix: p.GetString("OSSPrefix"),
            ImageFormat: p.GetString("ImageFormat", 64),
            DryRun: p.GetBool("DryRun") ?? false);
        var taskId = await exports.ExportAsync(request.Caller, export, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["RegionId"] = request.RegionId, ["TaskId"] = taskId };
    }
}
