using Imago.Core.Errors;

namespace Imago.Core.ImageCreation;

/// <summary>CreateImage's values for Platform, Architecture, BootMode and ImdsSupport, in the service's spelling.</summary>
internal static class ImageAttributes
{
    public static readonly IReadOnlyList<string> Platforms =
    [
        "CentOS", "Ubuntu", "SUSE", "OpenSUSE", "RedHat", "Debian", "CoreOS", "Aliyun", "Anolis", "FreeBSD", "Kylin", "UOS",
        "Fedora", "Fedora CoreOS", "AlmaLinux", "Rocky Linux", "CentOS Stream", "Alibaba Cloud Linux", "Customized Linux", "Others Linux",
        "Windows Server 2003", "Windows Server 2008", "Windows Server 2012", "Windows Server 2016", "Windows Server 2019",
        "Windows Server 2022", "Windows Server 2025",
    ];

    public static string? Platform(string? value) =>
        value is null ? null : Platforms.FirstOrDefault(p => p.Equals(value, StringComparison.OrdinalIgnoreCase)) ?? throw ImageCreationErrors.PlatformMalformed();

    public static string? Architecture(string? value) =>
        value is null ? null
        : value.ToLowerInvariant() is "i386" or "x86_64" or "arm64" ? value.ToLowerInvariant()
        : throw ImageCreationErrors.ArchitectureMalformed();

    public static string? BootMode(string? value) =>
        value is null ? null
        : new[] { "BIOS", "UEFI", "UEFI-Preferred" }.FirstOrDefault(b => b.Equals(value, StringComparison.OrdinalIgnoreCase))
            ?? throw EcsErrors.InvalidParameter("BootMode", "Valid values: BIOS, UEFI, UEFI-Preferred.");

    public static string? ImdsSupport(string? value) =>
        value is null ? null
        : value.ToLowerInvariant() is "v1" or "v2" ? value.ToLowerInvariant()
        : throw EcsErrors.InvalidParameter("Features.ImdsSupport", "Valid values: v1, v2.");

    public static string OSTypeOf(string platform) => platform.StartsWith("Windows", StringComparison.OrdinalIgnoreCase) ? "windows" : "linux";

    /// <summary>ImageVersion: up to 40 letters, digits, '.', '_', '-'.</summary>
    public static string? Version(string? value) =>
        value is null || (value.Length <= 40 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            ? value
            : throw ImageCreationErrors.VersionMalformed("Use up to 40 letters, digits, '.', '_' and '-'.");
}
