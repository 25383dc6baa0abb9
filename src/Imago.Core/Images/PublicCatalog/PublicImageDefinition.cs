namespace Imago.Core.Images.PublicCatalog;

/// <summary>
/// One official (system) image as the real service lists it. For public images the id and the name are the same
/// (e.g. <c>ubuntu_22_04_x64_20G_alibase_20240130.vhd</c>), as on Alibaba Cloud.
/// </summary>
/// <param name="ImageId">The real service's public image id; also its ImageName.</param>
/// <param name="Platform">Distribution as DescribeImages reports it (<c>Ubuntu</c>, <c>Windows Server 2022</c>, ...).</param>
/// <param name="OSType"><c>linux</c> or <c>windows</c>.</param>
/// <param name="OSName">Chinese display name.</param>
/// <param name="OSNameEn">English display name.</param>
/// <param name="Architecture"><c>x86_64</c>, <c>arm64</c> or <c>i386</c>.</param>
/// <param name="BootMode"><c>BIOS</c> (MBR disk), <c>UEFI</c> or <c>UEFI-Preferred</c> (GPT disk).</param>
/// <param name="SizeGiB">Virtual size of the system disk.</param>
/// <param name="ImageFamily">The public family, e.g. <c>acs:ubuntu_22_04_x64</c>.</param>
/// <param name="ReleaseDate">The <c>alibase_YYYYMMDD</c> date: the image's CreationTime and its files' timestamps.</param>
/// <param name="MarkerPath">The file that identifies the OS on the generated disk (<c>etc/os-release</c> on Unix-likes);
/// empty for an image imported from a real file (no disk is generated for it).</param>
/// <param name="MarkerText">Its content: the distribution's real os-release fields, or a Windows product/build marker.</param>
public sealed record PublicImageDefinition(
    string ImageId,
    string Platform,
    string OSType,
    string OSName,
    string OSNameEn,
    string Architecture,
    string BootMode,
    int SizeGiB,
    string ImageFamily,
    DateTime ReleaseDate,
    bool IsSupportCloudinit = true,
    bool IsSupportIoOptimized = true,
    string NvmeSupport = "supported",
    string ImdsSupport = "v2",
    string Description = "",
    string MarkerPath = "",
    string MarkerText = "")
{
    /// <summary>The real service names a public image by its id; an operator's import may choose another name.</summary>
    public string ImageName { get; init; } = ImageId;

    /// <summary>GPT (with a protective MBR) for UEFI boot modes, a classic MBR for BIOS.</summary>
    public bool UsesGpt => BootMode is "UEFI" or "UEFI-Preferred";
}
