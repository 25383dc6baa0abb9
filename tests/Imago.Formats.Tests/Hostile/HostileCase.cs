namespace Imago.Formats.Tests.Hostile;

/// <summary>What the inspector must do with a corpus file.</summary>
public enum Verdict
{
    /// <summary>Refused with an <see cref="ImageFormatException"/> of <see cref="HostileCase.Kind"/>.</summary>
    Refused,

    /// <summary>Accepted as <see cref="HostileCase.Format"/> with <see cref="HostileCase.VirtualSize"/>.</summary>
    Accepted,

    /// <summary>
    /// Either refused (any kind) or accepted as <see cref="HostileCase.Format"/>: for truncations that cut a
    /// magic short (the rest is plain raw data) or damage that only a reader can see (L2 entries).
    /// </summary>
    RefusedOrAccepted,
}

/// <summary>One generated corpus file and the inspector outcome the spec or qemu-img says it must have.</summary>
public sealed record HostileCase(
    string Group,
    string Name,
    byte[] Data,
    Verdict Verdict,
    ImageErrorKind? Kind = null,
    ImageFormat? Format = null,
    long? VirtualSize = null,
    ImageFormat? Declared = null)
{
    public override string ToString() => $"{Group}/{Name}";

    public static HostileCase Refused(string group, string name, byte[] data, ImageErrorKind kind, ImageFormat? declared = null) =>
        new(group, name, data, Verdict.Refused, kind, Declared: declared);

    public static HostileCase Accepted(string group, string name, byte[] data, ImageFormat format, long virtualSize,
        ImageFormat? declared = null) =>
        new(group, name, data, Verdict.Accepted, Format: format, VirtualSize: virtualSize, Declared: declared);

    public static HostileCase Either(string group, string name, byte[] data, ImageFormat format) =>
        new(group, name, data, Verdict.RefusedOrAccepted, Format: format);
}
