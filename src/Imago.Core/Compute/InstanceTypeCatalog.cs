using System.Text.Json;

namespace Imago.Core.Compute;

/// <summary>An instance type as DescribeImageSupportInstanceTypes and RunInstances know it.</summary>
/// <param name="Architecture">x86_64 or arm64: an image runs only on types of its architecture.</param>
public sealed record InstanceTypeInfo(string InstanceTypeId, string InstanceTypeFamily, int CpuCoreCount, double MemorySize, string Architecture);

/// <summary>
/// The instance types this service offers. A built-in list of common real types, replaced by a JSON file
/// (<c>imago serve --instance-types FILE</c>: an array of objects with the fields of <see cref="InstanceTypeInfo"/>).
/// </summary>
public sealed class InstanceTypeCatalog
{
    public static readonly IReadOnlyList<InstanceTypeInfo> BuiltIn =
    [
        new("ecs.t6-c1m1.large", "ecs.t6", 2, 2, "x86_64"),
        new("ecs.t6-c1m2.large", "ecs.t6", 2, 4, "x86_64"),
        new("ecs.g7.large", "ecs.g7", 2, 8, "x86_64"),
        new("ecs.g7.xlarge", "ecs.g7", 4, 16, "x86_64"),
        new("ecs.g7.2xlarge", "ecs.g7", 8, 32, "x86_64"),
        new("ecs.c7.large", "ecs.c7", 2, 4, "x86_64"),
        new("ecs.c7.xlarge", "ecs.c7", 4, 8, "x86_64"),
        new("ecs.r7.large", "ecs.r7", 2, 16, "x86_64"),
        new("ecs.g8y.large", "ecs.g8y", 2, 8, "arm64"),
        new("ecs.g8y.xlarge", "ecs.g8y", 4, 16, "arm64"),
        new("ecs.c8y.large", "ecs.c8y", 2, 4, "arm64"),
    ];

    private readonly Dictionary<string, InstanceTypeInfo> _types;

    public InstanceTypeCatalog(IEnumerable<InstanceTypeInfo>? types = null)
    {
        _types = (types ?? BuiltIn).ToDictionary(t => t.InstanceTypeId, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<InstanceTypeInfo> All => _types.Values;

    public InstanceTypeInfo? Find(string instanceTypeId) => _types.GetValueOrDefault(instanceTypeId);

    /// <summary>The types an image of <paramref name="architecture"/> can run on (i386 images run on x86_64).</summary>
    public IEnumerable<InstanceTypeInfo> For(string architecture) =>
        _types.Values.Where(t => t.Architecture == (architecture == "i386" ? "x86_64" : architecture)).OrderBy(t => t.InstanceTypeId, StringComparer.Ordinal);

    public static async Task<InstanceTypeCatalog> LoadAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        var types = await JsonSerializer.DeserializeAsync<InstanceTypeInfo[]>(file, cancellationToken: cancellationToken).ConfigureAwait(false);
        return types is { Length: > 0 } ? new InstanceTypeCatalog(types) : throw new InvalidDataException($"{path}: no instance types");
    }
}
