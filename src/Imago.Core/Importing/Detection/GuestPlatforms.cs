using Imago.Formats.Guest;

namespace Imago.Core.Importing.Detection;

/// <summary>
/// os-release IDs as ECS platforms, and the OS display names the public catalog uses ("Ubuntu  22.04 64位" /
/// "Ubuntu  22.04 64 bit": product, two spaces, version, bitness; " ARM版" / " ARM Edition" on arm64).
/// </summary>
internal static class GuestPlatforms
{
    /// <summary>Platforms that claim nothing about the distribution: any Linux matches them.</summary>
    private static readonly string[] GenericLinux = ["Others Linux", "Customized Linux"];

    private static readonly Dictionary<string, (string Platform, string Product)> ById = new(StringComparer.Ordinal)
    {
        ["ubuntu"] = ("Ubuntu", "Ubuntu"),
        ["debian"] = ("Debian", "Debian"),
        ["centos"] = ("CentOS", "CentOS"),
        ["rhel"] = ("RedHat", "Red Hat Enterprise Linux"),
        ["sles"] = ("SUSE", "SUSE Linux Enterprise Server"),
        ["sles_sap"] = ("SUSE", "SUSE Linux Enterprise Server for SAP"),
        ["opensuse"] = ("OpenSUSE", "openSUSE"),
        ["opensuse-leap"] = ("OpenSUSE", "openSUSE Leap"),
        ["opensuse-tumbleweed"] = ("OpenSUSE", "openSUSE Tumbleweed"),
        ["alinux"] = ("Aliyun", "Alibaba Cloud Linux"),
        ["anolis"] = ("Anolis", "Anolis OS"),
        ["fedora"] = ("Fedora", "Fedora"),
        ["rocky"] = ("Rocky Linux", "Rocky Linux"),
        ["almalinux"] = ("AlmaLinux", "AlmaLinux"),
        ["freebsd"] = ("FreeBSD", "FreeBSD"),
        ["kylin"] = ("Kylin", "Kylin"),
        ["uos"] = ("UOS", "UOS"),
        ["flatcar"] = ("CoreOS", "Flatcar Container Linux"),
        ["coreos"] = ("CoreOS", "CoreOS"),
    };

    /// <summary>Declared platforms that name the same distribution as a detected one (CentOS Stream reports ID=centos).</summary>
    private static readonly Dictionary<string, string[]> Equivalent = new(StringComparer.Ordinal)
    {
        ["CentOS"] = ["CentOS", "CentOS Stream"],
        ["Aliyun"] = ["Aliyun", "Alibaba Cloud Linux"],
        ["Fedora"] = ["Fedora", "Fedora CoreOS"],
        ["CoreOS"] = ["CoreOS", "Fedora CoreOS"],
    };

    /// <summary>Fedora CoreOS reports ID=fedora; ECS files it under CoreOS, as the public catalog does.</summary>
    private static readonly (string Platform, string Product) FedoraCoreOs = ("CoreOS", "Fedora CoreOS");

    /// <summary>The ECS platform and product name for an os-release, or null for a distribution ECS has no platform for.</summary>
    public static (string Platform, string Product)? Of(OsRelease release) =>
        release.Id == "fedora" && (release.PrettyName.Contains("CoreOS", StringComparison.Ordinal) || release.Name.Contains("CoreOS", StringComparison.Ordinal))
            ? FedoraCoreOs
            : ById.TryGetValue(release.Id, out var known) ? known : null;

    public static bool IsGenericLinux(string platform) => GenericLinux.Contains(platform, StringComparer.OrdinalIgnoreCase);

    public static bool IsWindows(string platform) => platform.StartsWith("Windows", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a declared Linux platform agrees with the detected one.</summary>
    public static bool Matches(string declared, string detected) =>
        IsGenericLinux(declared)
        || (Equivalent.TryGetValue(detected, out var names) ? names : [detected]).Contains(declared, StringComparer.OrdinalIgnoreCase);

    /// <summary>OSName and OSNameEn as the catalog spells them.</summary>
    public static (string OSName, string OSNameEn) DisplayNames(string product, string version, string architecture)
    {
        var versioned = version.Length == 0 ? product : $"{product}  {version}";
        return architecture switch
        {
            "arm64" => ($"{versioned} 64位 ARM版", $"{versioned} 64 bit ARM Edition"),
            "i386" => ($"{versioned} 32位", $"{versioned} 32 bit"),
            _ => ($"{versioned} 64位", $"{versioned} 64 bit"),
        };
    }
}
