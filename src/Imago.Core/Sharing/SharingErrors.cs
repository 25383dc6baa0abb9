using Imago.Core.Errors;

namespace Imago.Core.Sharing;

/// <summary>The sharing actions' documented errors (../shared/reference/ecs-api.md 3.9-3.11) and the decisions in docs/api.md "Sharing".</summary>
public static class SharingErrors
{
    public static EcsException AccountNotFound(string parameter) =>
        new("InvalidAccount.NotFound", $"The specified parameter \"{EcsErrors.Printable(parameter)}\" does not exist.", 404);

    /// <summary>Sharing with yourself; the code's spelling is the documented one.</summary>
    public static EcsException OwnAccount(string parameter) =>
        new("InvalidAccount.Forbbiden", $"The specified Account does not yourself: \"{EcsErrors.Printable(parameter)}\" is the image owner's own account.", 404);

    public static EcsException QuotaExceeded(int limit) =>
        new("QuotaExceed.ShareImageUser", $"The shared Image user Quota exceeds: an image can be shared with at most {limit} accounts.", 403);

    public static EcsException CommunityImagesNotSupported() =>
        new("OperationDenied", "Community images are not supported: an image cannot be made public (IsPublic=true, AddGroup all).", 403);

    public static EcsException GroupMalformed(string parameter) =>
        new("InvalidGroup.Malformed", $"The specified parameter \"{EcsErrors.Printable(parameter)}\" is not valid: the only group is \"all\".", 400);
}
