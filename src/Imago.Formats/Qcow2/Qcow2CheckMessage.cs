using System.Runtime.CompilerServices;

namespace Imago.Formats.Qcow2;

/// <summary>
/// Builds a checker message only while the message list still has room, so that a hostile file with
/// millions of bad entries costs counters, not millions of strings.
/// </summary>
[InterpolatedStringHandler]
internal ref struct Qcow2CheckMessage
{
    private DefaultInterpolatedStringHandler _inner;

    public Qcow2CheckMessage(int literalLength, int formattedCount, Qcow2CheckRun run, out bool shouldAppend)
    {
        Enabled = shouldAppend = run.WantsMessage;
        _inner = shouldAppend ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public bool Enabled { get; }

    public void AppendLiteral(string value) => _inner.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);

    public string ToStringAndClear() => _inner.ToStringAndClear();
}
