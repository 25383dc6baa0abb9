namespace Imago.Formats.Guest.Partitions;

/// <summary>Partition type codes that matter to detection (MBR type bytes and GPT type GUIDs, UEFI spec 2.10 §5.3).</summary>
internal static class PartitionTypes
{
    /// <summary>MBR 0xEE: the protective entry of a GPT disk.</summary>
    public const byte MbrGptProtective = 0xEE;

    /// <summary>MBR 0xEF: an EFI System Partition on an MBR disk.</summary>
    public const byte MbrEfiSystem = 0xEF;

    /// <summary>MBR extended partition types (CHS, LBA and Linux): containers of the logical-partition chain.</summary>
    public static bool IsMbrExtended(byte type) => type is 0x05 or 0x0F or 0x85;

    public static readonly Guid EfiSystem = new("C12A7328-F81F-11D2-BA4B-00A0C93EC93B");

    /// <summary>GRUB's "BIOS boot" partition: GRUB's core image on a GPT disk booted by BIOS.</summary>
    public static readonly Guid BiosBoot = new("21686148-6449-6E6F-744E-656564454649");

    private static readonly Dictionary<Guid, string> GptNames = new()
    {
        [EfiSystem] = "EFI System",
        [BiosBoot] = "BIOS boot",
        [new Guid("0FC63DAF-8483-4772-8E79-3D69D8477DE4")] = "Linux filesystem",
        [new Guid("4F68BCE3-E8CD-4C3E-B1B4-A3C1B2E2BE0E")] = "Linux root (x86-64)",
        [new Guid("B921B045-1DF0-41C3-AF44-4C6F280D3FAE")] = "Linux root (ARM-64)",
        [new Guid("BC13C2FF-59E6-4262-A352-B275FD6F7172")] = "Linux extended boot",
        [new Guid("0657FD6D-A4AB-43C4-84E5-0933C84B4F4F")] = "Linux swap",
        [new Guid("E6D6D379-F507-44C2-A23C-238F2A3DF928")] = "Linux LVM",
        [new Guid("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7")] = "Microsoft basic data",
        [new Guid("E3C9E316-0B5C-4DB8-817D-F92DF00215AE")] = "Microsoft reserved",
        [new Guid("DE94BBA4-06D1-4D40-A16A-BFD50179D6AC")] = "Windows recovery",
    };

    public static string GptName(Guid type) => GptNames.TryGetValue(type, out var name) ? name : type.ToString("D").ToUpperInvariant();

    public static string MbrName(byte type) => $"0x{type:x2}";
}
