using Imago.Core.Errors;

namespace Imago.Core.Images;

/// <summary>The image actions' own documented errors (../shared/reference/ecs-api.md sections 3.1, 3.7, 3.8, 3.12).</summary>
public static class ImageErrors
{
    public static EcsException OwnerAliasNotSupported() =>
        new("InvalidImageOwnerAlias.ValueNotSupported", "The specified ImageOwnerAlias is not supported.", 400);

    public static EcsException InvalidUsage() => new("InvalidUsage", "The specifed Usage is not valid", 404);

    public static EcsException InvalidOSType() => new("InvalidOSType", "The specified OSType is not valid.", 404);

    public static EcsException InvalidArchitecture() => new("InvalidArchitecture", "The specified Architecture is not valid.", 404);

    public static EcsException InstanceTypeNotSupported() =>
        new("InvalidInstanceType.ValueNotSupported", "The specified InstanceType does not exist or is not supported.", 400);

    public static EcsException FilterKeyNotFound() => new("InvalidFilterKey.NotFound", "The specified Filter.N.Key is not valid.", 404);

    public static EcsException TagMismatch() => new("InvalidTag.Mismatch", "The specified Tag.n.Key and Tag.n.Value are not match.", 400);

    public static EcsException TagCount() => new("InvalidTagCount", "The specified tags are beyond the permitted range.", 400);

    public static EcsException NameMalformed() =>
        new("InvalidImageName.Malformed", "The specified ImageName is not valid: 2 to 128 characters, starting with a letter, "
            + "without http:// or https://, not starting with acs: or aliyun.", 400);

    public static EcsException NameDuplicated() => new("InvalidImageName.Duplicated", "The specified Image name has already bean used.", 400);

    public static EcsException DescriptionMalformed() =>
        new("InvalidDescription.Malformed", "The specified Description is not valid: 2 to 256 characters, without http:// or https://.", 400);

    public static EcsException FamilyMalformed() =>
        new("InvalidImageFamily.Malformed", "The specified ImageFamily is not valid: 2 to 128 characters, starting with a letter, "
            + "without http:// or https://, not starting with acs: or aliyun.", 400);

    public static EcsException UsingByInstance() =>
        new("ImageUsingByInstance", "The specified image is being used by instances. Please release the instances first, or you can use the force parameter to proceed.", 403);

    public static EcsException UseShared() => new("ImageUseShared", "The specified image has been shared to others.", 403);

    public static EcsException IsCreating() => new("ImageIsCreating", "The specified image is being created.", 403);

    public static EcsException IsCopying() => new("OperationDenied.ImageCopying", "The specified image is being copied.", 403);

    public static EcsException IsImporting() => new("ImageIsImporting", "The specified image is being imported.", 403);

    public static EcsException IsExporting() => new("ImageIsExporting", "The specified image is being exported. Please cancel task first.", 403);

    public static EcsException IncorrectStatus() =>
        new("IncorrectImageStatus", "The current status of the image does not support this operation.", 403);

    public static EcsException LicenseTypeNotSupported() =>
        new("InvalidLicenseType.ValueNotSupported", "The specified LicenseType is not supported: only BYOL can be set.", 400);
}
