namespace Imago.Formats.Vhd;

/// <summary>Creates VHD images: dynamic (the default, as in qemu) or fixed.</summary>
internal static class VhdImageWriter
{
    public static ValueTask<IDiskImageWriter> CreateAsync(string path, long virtualSize, ImageCreateOptions options,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var plan = VhdCreationPlan.For(virtualSize, options);
        IDiskImageWriter writer = plan.Subformat == VhdSubformat.Fixed
            ? FixedVhdWriter.Create(path, plan)
            : DynamicVhdWriter.Create(path, plan);
        return ValueTask.FromResult(writer);
    }
}
