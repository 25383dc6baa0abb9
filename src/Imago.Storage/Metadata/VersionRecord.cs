using System.Text.Json.Serialization;

namespace Imago.Storage.Metadata;

/// <summary>
/// The root record of a volume or snapshot: its size and the hash of its top page. Written last, by atomic
/// rename, after every chunk and page it names is durable: a record on disk is always complete.
/// </summary>
/// <param name="Size">Virtual size in bytes.</param>
/// <param name="Root">Hex SHA-256 of the top page; 64 zeros for an all-zero disk.</param>
/// <param name="Generation">Commits of this version so far (a snapshot keeps the one it was taken at).</param>
public sealed record VersionRecord(long Size, string Root, long Generation);

[JsonSerializable(typeof(VersionRecord))]
[JsonSerializable(typeof(StoreLayout))]
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class MetadataJson : JsonSerializerContext;
