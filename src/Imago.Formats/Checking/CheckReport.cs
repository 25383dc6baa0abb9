namespace Imago.Formats.Checking;

/// <summary>
/// The result of a consistency check, shaped after qemu-img's ImageCheck so that
/// <c>imago img check --output json</c> can use the same field names.
/// </summary>
public sealed record CheckReport
{
    public required ImageFormat Format { get; init; }

    /// <summary>Errors that make the image's content wrong or unreadable (qemu's "corruptions").</summary>
    public long Corruptions { get; init; }

    /// <summary>Space allocated but referenced by nothing (qemu's "leaks"): harmless, reclaimable.</summary>
    public long Leaks { get; init; }

    /// <summary>Checks that could not be completed (I/O errors, structures too broken to walk).</summary>
    public long CheckErrors { get; init; }

    public long? ImageEndOffset { get; init; }

    public long? TotalClusters { get; init; }

    public long? AllocatedClusters { get; init; }

    public long? FragmentedClusters { get; init; }

    public long? CompressedClusters { get; init; }

    /// <summary>One human-readable line per problem found (like qemu-img check's text output).</summary>
    public IReadOnlyList<string> Messages { get; init; } = [];

    /// <summary>qemu-img check's exit code: 0 clean, 2 corrupt, 3 leaks only; 1 if the check did not complete.</summary>
    public int ExitCode => CheckErrors > 0 ? 1 : Corruptions > 0 ? 2 : Leaks > 0 ? 3 : 0;
}
