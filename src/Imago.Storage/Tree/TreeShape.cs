namespace Imago.Storage.Tree;

/// <summary>
/// The shape of a block map: how many blocks it covers, how many references a page holds, and how many
/// levels of pages that takes (level 0 pages name data chunks; the single top page is the root).
/// </summary>
public readonly record struct TreeShape(long BlockCount, int Fanout)
{
    public int Depth
    {
        get
        {
            var depth = 1;
            for (var covered = (long)Fanout; covered < BlockCount; covered = checked(covered * Fanout))
            {
                depth++;
            }

            return depth;
        }
    }
}
