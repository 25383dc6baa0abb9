using Imago.Core.Errors;

namespace Imago.Core.Tasks;

/// <summary>The task actions' errors (DescribeTaskAttribute, CancelTask).</summary>
public static class TaskErrors
{
    /// <summary>The reference documents 400 for DescribeTaskAttribute; CancelTask answers the same.</summary>
    public static EcsException NotFound(string taskId) =>
        new("InvalidTaskId.NotFound", "The specified taskId does not exist.", 400);

    public static EcsException IncorrectStatus() =>
        new("IncorrectTaskStatus", "The current status of the task does not support this operation.", 403);

    public static EcsException CancelNotSupported() =>
        new("OperationDenied", "The specified task does not support cancellation.", 403);
}
