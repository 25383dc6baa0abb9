namespace Imago.Storage.Metadata;

/// <summary>The two kinds of block map the store keeps: mutable volumes and immutable snapshots.</summary>
public enum VersionKind
{
    Volume,
    Snapshot,
}
