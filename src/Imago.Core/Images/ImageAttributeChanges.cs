namespace Imago.Core.Images;

/// <summary>ModifyImageAttribute's parameters; null keeps the current value (enumerations as the request gives them).</summary>
public sealed record ImageAttributeChanges
{
    public string? ImageName { get; init; }

    public string? Description { get; init; }

    public string? ImageFamily { get; init; }

    /// <summary><c>BIOS</c>, <c>UEFI</c> or <c>UEFI-Preferred</c>.</summary>
    public string? BootMode { get; init; }

    /// <summary>Only <c>BYOL</c> can be set.</summary>
    public string? LicenseType { get; init; }

    /// <summary>Features.NvmeSupport: <c>supported</c> or <c>unsupported</c>.</summary>
    public string? NvmeSupport { get; init; }

    /// <summary>Features.ImdsSupport: <c>v1</c> or <c>v2</c>.</summary>
    public string? ImdsSupport { get; init; }

    /// <summary><c>Deprecated</c> or <c>Available</c>.</summary>
    public string? Status { get; init; }
}
