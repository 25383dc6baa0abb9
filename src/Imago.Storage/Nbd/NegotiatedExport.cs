namespace Imago.Storage.Nbd;

/// <summary>The outcome of a successful handshake: the device the client chose and the flags it was told.</summary>
internal sealed record NegotiatedExport(string Name, IBlockDevice Device, TransmissionFlags Flags)
{
    /// <summary>Flags for a device: read-only devices advertise no write-side commands.</summary>
    public static TransmissionFlags FlagsFor(IBlockDevice device) =>
        device.IsReadOnly
            ? TransmissionFlags.HasFlags | TransmissionFlags.ReadOnly | TransmissionFlags.SendFlush
            : TransmissionFlags.HasFlags | TransmissionFlags.SendFlush | TransmissionFlags.SendFua
              | TransmissionFlags.SendTrim | TransmissionFlags.SendWriteZeroes;
}
