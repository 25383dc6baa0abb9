namespace Imago.Core.Importing.Detection;

/// <summary>
/// One finding of the image check (DescribeImages' DetectionOptions.Items.Item): what was looked at, what was found,
/// and a risk code and level when the finding contradicts what the image declares (empty otherwise).
/// </summary>
public sealed record DetectionItem(string Name, string Value, string RiskCode = "", string RiskLevel = "");

/// <summary>Item names, risk codes and levels (docs/api.md "OS detection").</summary>
public static class DetectionCodes
{
    public const string Processing = "Processing";
    public const string Finished = "Finished";

    public const string PartitionTable = "PartitionTable";
    public const string BootMode = "BootMode";
    public const string FileSystem = "FileSystem";
    public const string OSType = "OSType";
    public const string Platform = "Platform";
    public const string OSVersion = "OSVersion";
    public const string OSName = "OSName";

    public const string PlatformMismatch = "PlatformMismatch";
    public const string OSTypeMismatch = "OSTypeMismatch";
    public const string BootModeMismatch = "BootModeMismatch";
    public const string UnrecognizedOS = "UnrecognizedOS";

    /// <summary>The image would not boot as declared.</summary>
    public const string High = "High";

    /// <summary>The image boots, but is described wrongly or could not be checked.</summary>
    public const string Medium = "Medium";
}
