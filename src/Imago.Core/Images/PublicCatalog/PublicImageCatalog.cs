namespace Imago.Core.Images.PublicCatalog;

/// <summary>
/// The official images every region offers (docs/public-images.md). Ids, names, families, platforms and OS names
/// follow the real service's public images; the marker files hold each distribution's real /etc/os-release fields
/// (Windows images hold a product/build marker file: they are not Windows). This is data: edit the table to add
/// an entry; an operator replaces an entry's disk with a real image with <c>imago admin public-image import</c>.
/// </summary>
public static class PublicImageCatalog
{
    private const string OsRelease = "etc/os-release";
    private const string WindowsMarker = "Windows/System32/imago-os-version.txt";

    public static IReadOnlyList<PublicImageDefinition> Entries { get; } =
    [
        new("aliyun_3_x64_20G_alibase_20240105.vhd", "Aliyun", "linux",
            "Alibaba Cloud Linux  3.2104 LTS 64位", "Alibaba Cloud Linux  3.2104 LTS 64 bit", "x86_64", "UEFI-Preferred", 20,
            "acs:alibaba_cloud_linux_3_2104_lts_x64", Day(2024, 1, 5), MarkerPath: OsRelease, MarkerText: """
            NAME="Alibaba Cloud Linux"
            VERSION="3 (Soaring Falcon)"
            ID="alinux"
            ID_LIKE="rhel fedora centos anolis"
            VERSION_ID="3"
            UPDATE_ID="9"
            PLATFORM_ID="platform:al8"
            PRETTY_NAME="Alibaba Cloud Linux 3.2104 U9 (OpenAnolis Edition)"
            ANSI_COLOR="0;31"
            HOME_URL="https://www.aliyun.com/"

            """),
        new("aliyun_3_arm64_20G_alibase_20240105.vhd", "Aliyun", "linux",
            "Alibaba Cloud Linux  3.2104 LTS 64位 ARM版", "Alibaba Cloud Linux  3.2104 LTS 64 bit ARM Edition", "arm64", "UEFI", 20,
            "acs:alibaba_cloud_linux_3_2104_lts_arm64", Day(2024, 1, 5), MarkerPath: OsRelease, MarkerText: """
            NAME="Alibaba Cloud Linux"
            VERSION="3 (Soaring Falcon)"
            ID="alinux"
            ID_LIKE="rhel fedora centos anolis"
            VERSION_ID="3"
            UPDATE_ID="9"
            PLATFORM_ID="platform:al8"
            PRETTY_NAME="Alibaba Cloud Linux 3.2104 U9 (OpenAnolis Edition)"
            ANSI_COLOR="0;31"
            HOME_URL="https://www.aliyun.com/"

            """),
        new("aliyun_2_1903_x64_20G_alibase_20200324.vhd", "Aliyun", "linux",
            "Aliyun Linux  2.1903 LTS 64位", "Aliyun Linux  2.1903 LTS 64 bit", "x86_64", "BIOS", 20,
            "acs:aliyun_2_1903_x64", Day(2020, 3, 24), MarkerPath: OsRelease, MarkerText: """
            NAME="Aliyun Linux"
            VERSION="2.1903 LTS (Hunting Beagle)"
            ID="alinux"
            ID_LIKE="rhel fedora centos"
            VERSION_ID="2.1903"
            PRETTY_NAME="Aliyun Linux 2.1903 LTS (Hunting Beagle)"
            ANSI_COLOR="0;31"
            HOME_URL="https://www.alibabacloud.com/"

            """, NvmeSupport: "unsupported", ImdsSupport: "v1"),
        new("ubuntu_22_04_x64_20G_alibase_20240130.vhd", "Ubuntu", "linux",
            "Ubuntu  22.04 64位", "Ubuntu  22.04 64 bit", "x86_64", "BIOS", 20,
            "acs:ubuntu_22_04_x64", Day(2024, 1, 30), MarkerPath: OsRelease, MarkerText: """
            PRETTY_NAME="Ubuntu 22.04.3 LTS"
            NAME="Ubuntu"
            VERSION_ID="22.04"
            VERSION="22.04.3 LTS (Jammy Jellyfish)"
            VERSION_CODENAME=jammy
            ID=ubuntu
            ID_LIKE=debian
            HOME_URL="https://www.ubuntu.com/"
            SUPPORT_URL="https://help.ubuntu.com/"
            BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
            PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
            UBUNTU_CODENAME=jammy

            """),
        new("ubuntu_22_04_arm64_20G_alibase_20240130.vhd", "Ubuntu", "linux",
            "Ubuntu  22.04 64位 ARM版", "Ubuntu  22.04 64 bit ARM Edition", "arm64", "UEFI", 20,
            "acs:ubuntu_22_04_arm64", Day(2024, 1, 30), MarkerPath: OsRelease, MarkerText: """
            PRETTY_NAME="Ubuntu 22.04.3 LTS"
            NAME="Ubuntu"
            VERSION_ID="22.04"
            VERSION="22.04.3 LTS (Jammy Jellyfish)"
            VERSION_CODENAME=jammy
            ID=ubuntu
            ID_LIKE=debian
            HOME_URL="https://www.ubuntu.com/"
            SUPPORT_URL="https://help.ubuntu.com/"
            BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
            PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
            UBUNTU_CODENAME=jammy

            """),
        new("ubuntu_24_04_x64_20G_alibase_20240812.vhd", "Ubuntu", "linux",
            "Ubuntu  24.04 64位", "Ubuntu  24.04 64 bit", "x86_64", "UEFI-Preferred", 20,
            "acs:ubuntu_24_04_x64", Day(2024, 8, 12), MarkerPath: OsRelease, MarkerText: """
            PRETTY_NAME="Ubuntu 24.04 LTS"
            NAME="Ubuntu"
            VERSION_ID="24.04"
            VERSION="24.04 LTS (Noble Numbat)"
            VERSION_CODENAME=noble
            ID=ubuntu
            ID_LIKE=debian
            HOME_URL="https://www.ubuntu.com/"
            SUPPORT_URL="https://help.ubuntu.com/"
            BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
            PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
            UBUNTU_CODENAME=noble
            LOGO=ubuntu-logo

            """),
        new("centos_7_9_x64_20G_alibase_20231220.vhd", "CentOS", "linux",
            "CentOS  7.9 64位", "CentOS  7.9 64 bit", "x86_64", "BIOS", 20,
            "acs:centos_7_9_x64", Day(2023, 12, 20), MarkerPath: OsRelease, MarkerText: """
            NAME="CentOS Linux"
            VERSION="7 (Core)"
            ID="centos"
            ID_LIKE="rhel fedora"
            VERSION_ID="7"
            PRETTY_NAME="CentOS Linux 7 (Core)"
            ANSI_COLOR="0;31"
            CPE_NAME="cpe:/o:centos:centos:7"
            HOME_URL="https://www.centos.org/"
            BUG_REPORT_URL="https://bugs.centos.org/"

            CENTOS_MANTISBT_PROJECT="CentOS-7"
            CENTOS_MANTISBT_PROJECT_VERSION="7"
            REDHAT_SUPPORT_PRODUCT="centos"
            REDHAT_SUPPORT_PRODUCT_VERSION="7"


            """, NvmeSupport: "unsupported", ImdsSupport: "v1"),
        new("debian_12_4_x64_20G_alibase_20240126.vhd", "Debian", "linux",
            "Debian  12.4 64位", "Debian  12.4 64 bit", "x86_64", "BIOS", 20,
            "acs:debian_12_x64", Day(2024, 1, 26), MarkerPath: OsRelease, MarkerText: """
            PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
            NAME="Debian GNU/Linux"
            VERSION_ID="12"
            VERSION="12 (bookworm)"
            VERSION_CODENAME=bookworm
            ID=debian
            HOME_URL="https://www.debian.org/"
            SUPPORT_URL="https://www.debian.org/support"
            BUG_REPORT_URL="https://bugs.debian.org/"

            """),
        new("sles_15_sp5_x64_20G_alibase_20231226.vhd", "SUSE", "linux",
            "SUSE Linux Enterprise Server  15 SP5 64位", "SUSE Linux Enterprise Server  15 SP5 64 bit", "x86_64", "BIOS", 20,
            "acs:sles_15_sp5_x64", Day(2023, 12, 26), MarkerPath: OsRelease, MarkerText: """
            NAME="SLES"
            VERSION="15-SP5"
            VERSION_ID="15.5"
            PRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"
            ID="sles"
            ID_LIKE="suse"
            ANSI_COLOR="0;32"
            CPE_NAME="cpe:/o:suse:sles:15:sp5"
            DOCUMENTATION_URL="https://documentation.suse.com/"

            """),
        new("opensuse_15_5_x64_20G_alibase_20231221.vhd", "OpenSUSE", "linux",
            "openSUSE  15.5 64位", "openSUSE  15.5 64 bit", "x86_64", "BIOS", 20,
            "acs:opensuse_15_5_x64", Day(2023, 12, 21), MarkerPath: OsRelease, MarkerText: """
            NAME="openSUSE Leap"
            VERSION="15.5"
            ID="opensuse-leap"
            ID_LIKE="suse opensuse"
            VERSION_ID="15.5"
            PRETTY_NAME="openSUSE Leap 15.5"
            ANSI_COLOR="0;32"
            CPE_NAME="cpe:/o:opensuse:leap:15.5"
            BUG_REPORT_URL="https://bugs.opensuse.org"
            HOME_URL="https://www.opensuse.org/"
            DOCUMENTATION_URL="https://en.opensuse.org/Portal:Leap"
            LOGO="distributor-logo-Leap"

            """),
        new("fedora_coreos_39_x64_20G_alibase_20240118.vhd", "CoreOS", "linux",
            "Fedora CoreOS  39 64位", "Fedora CoreOS  39 64 bit", "x86_64", "UEFI-Preferred", 20,
            "acs:fedora_coreos_x64", Day(2024, 1, 18), MarkerPath: OsRelease, MarkerText: """
            NAME="Fedora Linux"
            VERSION="39.20240104.3.0 (CoreOS)"
            ID=fedora
            VERSION_ID=39
            VERSION_CODENAME=""
            PLATFORM_ID="platform:f39"
            PRETTY_NAME="Fedora CoreOS 39.20240104.3.0"
            ANSI_COLOR="0;38;2;60;110;180"
            LOGO=fedora-logo-icon
            CPE_NAME="cpe:/o:fedoraproject:fedora:39"
            HOME_URL="https://getfedora.org/coreos/"
            DOCUMENTATION_URL="https://docs.fedoraproject.org/en-US/fedora-coreos/"
            SUPPORT_URL="https://github.com/coreos/fedora-coreos-tracker/"
            BUG_REPORT_URL="https://github.com/coreos/fedora-coreos-tracker/"
            REDHAT_BUGZILLA_PRODUCT="Fedora"
            REDHAT_BUGZILLA_PRODUCT_VERSION=39
            REDHAT_SUPPORT_PRODUCT="Fedora"
            REDHAT_SUPPORT_PRODUCT_VERSION=39
            SUPPORT_END=2024-11-12
            VARIANT="CoreOS"
            VARIANT_ID=coreos
            OSTREE_VERSION='39.20240104.3.0'

            """, IsSupportCloudinit: false),
        new("freebsd_13_2_x64_30G_alibase_20230925.vhd", "FreeBSD", "linux",
            "FreeBSD  13.2 64位", "FreeBSD  13.2 64 bit", "x86_64", "BIOS", 30,
            "acs:freebsd_13_2_x64", Day(2023, 9, 25), MarkerPath: OsRelease, MarkerText: """
            NAME=FreeBSD
            VERSION="13.2-RELEASE"
            VERSION_ID="13.2"
            ID=freebsd
            ANSI_COLOR="0;31"
            PRETTY_NAME="FreeBSD 13.2-RELEASE"
            CPE_NAME="cpe:/o:freebsd:freebsd:13.2"
            HOME_URL="https://FreeBSD.org/"
            BUG_REPORT_URL="https://bugs.FreeBSD.org/"

            """, NvmeSupport: "unsupported", ImdsSupport: "v1"),
        new("win2022_21H2_x64_dtc_en-us_40G_alibase_20240116.vhd", "Windows Server 2022", "windows",
            "Windows Server  2022 数据中心版 64位英文版", "Windows Server  2022 Datacenter Edition 64bit English Edition", "x86_64", "BIOS", 40,
            "acs:windows_server_2022_datacenter_en-us_x64", Day(2024, 1, 16), MarkerPath: WindowsMarker, MarkerText: """
            ProductName: Windows Server 2022 Datacenter
            EditionID: ServerDatacenter
            DisplayVersion: 21H2
            CurrentBuild: 20348
            UBR: 2227
            Language: en-US
            Note: Imago marker file. This disk is not Windows; replace it with `imago admin public-image import`.

            """),
        new("win2019_1809_x64_dtc_zh-cn_40G_alibase_20240116.vhd", "Windows Server 2019", "windows",
            "Windows Server  2019 数据中心版 64位中文版", "Windows Server  2019 Datacenter Edition 64bit Chinese Edition", "x86_64", "BIOS", 40,
            "acs:windows_server_2019_datacenter_zh-cn_x64", Day(2024, 1, 16), MarkerPath: WindowsMarker, MarkerText: """
            ProductName: Windows Server 2019 Datacenter
            EditionID: ServerDatacenter
            DisplayVersion: 1809
            CurrentBuild: 17763
            UBR: 5329
            Language: zh-CN
            Note: Imago marker file. This disk is not Windows; replace it with `imago admin public-image import`.

            """),
    ];

    public static PublicImageDefinition? Find(string imageId) => Entries.FirstOrDefault(e => e.ImageId == imageId);

    private static DateTime Day(int year, int month, int day) => new(year, month, day, 0, 0, 0, DateTimeKind.Utc);
}
