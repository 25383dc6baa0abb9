using Imago.Storage.Chunks;
using Imago.Storage.Metadata;

namespace Imago.Storage.Integrity;

/// <summary>A volume's or snapshot's root as read from its record: where marking and scrubbing start.</summary>
public sealed record VersionRoot(VersionKind Kind, string Id, ChunkHash Root, int Depth);
