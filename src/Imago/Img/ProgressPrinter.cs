using Imago.Cli;
using Imago.Formats.Conversion;

namespace Imago.Img;

/// <summary>
/// convert -p: a redrawn bar when stderr is a terminal, otherwise qemu-style "(NN.NN/100%)" lines, one per
/// whole percent. Reports arrive synchronously from the converter's writer loop, so they are in order.
/// </summary>
internal sealed class ProgressPrinter(CommandConsole console) : IProgress<ConvertProgress>
{
    private const int BarWidth = 40;
    private int _lastWhole = -1;
    private double _lastPercent = -1;

    public void Report(ConvertProgress value)
    {
        var percent = Math.Min(100.0, value.Percent);
        if (percent <= _lastPercent)
        {
            return; // nothing new to show (the converter reports the end twice: last chunk, then completion)
        }

        _lastPercent = percent;
        var whole = (int)percent;
        if (console.ErrorIsTerminal)
        {
            var filled = (int)(BarWidth * percent / 100);
            console.Error.Write($"\r[{new string('#', filled)}{new string(' ', BarWidth - filled)}] {QemuText.Percent(percent),6}%");
            if (percent >= 100 && whole != _lastWhole)
            {
                console.Error.WriteLine();
            }
        }
        else if (whole != _lastWhole)
        {
            console.Error.WriteLine($"    ({QemuText.Percent(percent)}/100%)");
        }

        _lastWhole = whole;
    }
}
