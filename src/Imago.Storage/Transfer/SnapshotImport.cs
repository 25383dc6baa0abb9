using Imago.Formats;

namespace Imago.Storage.Transfer;

/// <summary>One image of a batch import (<see cref="BlockStore.ImportManyAsync"/>) and the new snapshot it becomes.</summary>
public sealed record SnapshotImport(IDiskImage Source, string SnapshotId);
