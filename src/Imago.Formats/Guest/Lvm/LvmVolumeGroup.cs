namespace Imago.Formats.Guest.Lvm;

/// <summary>A logical volume on one physical volume: its name and the runs of the PV that make it up, in order.</summary>
internal sealed record LvmLogicalVolume(string Name, IReadOnlyList<DiskRun> Runs);

/// <summary>
/// The logical volumes of a volume group that lie wholly on the physical volume at hand: linear segments
/// ("striped" with one stripe). Volumes spanning other PVs, striped, mirrored, thin or cached ones are left out.
/// </summary>
internal static class LvmVolumeGroup
{
    private const int SectorSize = 512;
    private const int MaxVolumes = 64;
    private const int MaxSegments = 64;

    /// <param name="pvStart">The PV's offset on the disk.</param>
    /// <param name="pvLength">The PV's length.</param>
    public static IReadOnlyList<LvmLogicalVolume> Read(string uuid, LvmConfig metadata, long pvStart, long pvLength)
    {
        var group = metadata.Sections.Select(s => s.Value).FirstOrDefault(s => s.Section("physical_volumes") is not null);
        if (group?.Number("extent_size") is not { } extentSectors || extentSectors <= 0 || extentSectors > int.MaxValue)
        {
            return [];
        }

        var pv = group.Section("physical_volumes")!.Sections
            .FirstOrDefault(p => string.Equals(p.Value.Text("id")?.Replace("-", "", StringComparison.Ordinal), uuid, StringComparison.Ordinal));
        if (pv.Value?.Number("pe_start") is not { } peStart || peStart < 0 || peStart > pvLength / SectorSize)
        {
            return [];
        }

        var extentBytes = extentSectors * SectorSize;
        var volumes = new List<LvmLogicalVolume>();
        foreach (var (name, lv) in (group.Section("logical_volumes")?.Sections ?? []).Take(MaxVolumes))
        {
            var runs = Runs(lv, pv.Key, (peStart * SectorSize) + pvStart, extentBytes, pvStart + pvLength);
            if (runs is not null)
            {
                volumes.Add(new LvmLogicalVolume(name, runs));
            }
        }

        return volumes;
    }

    /// <summary>The LV's runs in LV order, or null when a segment is not a linear one on this PV inside it.</summary>
    private static List<DiskRun>? Runs(LvmConfig lv, string pvName, long dataStart, long extentBytes, long pvEnd)
    {
        var segments = new List<(long Start, DiskRun Run)>();
        foreach (var (_, segment) in lv.Sections.Take(MaxSegments + 1))
        {
            var stripes = segment.List("stripes");
            if (segments.Count == MaxSegments || segment.Text("type") != "striped" || segment.Number("stripe_count") != 1
                || stripes is not [string stripePv, long pvExtent] || stripePv != pvName
                || segment.Number("start_extent") is not { } start || segment.Number("extent_count") is not { } count
                || start < 0 || count <= 0 || pvExtent < 0 || count > (pvEnd - dataStart) / extentBytes || pvExtent > (pvEnd - dataStart) / extentBytes)
            {
                return null;
            }

            var offset = dataStart + (pvExtent * extentBytes);
            var length = count * extentBytes;
            if (offset > pvEnd - length)
            {
                return null;
            }

            segments.Add((start, new DiskRun(offset, length)));
        }

        segments.Sort((a, b) => a.Start.CompareTo(b.Start));
        var expected = 0L;
        foreach (var (start, run) in segments)
        {
            if (start != expected)
            {
                return null; // a gap or an overlap: not a volume we can lay out
            }

            expected += run.Length / extentBytes;
        }

        return segments.Count == 0 ? null : segments.Select(s => s.Run).ToList();
    }
}
