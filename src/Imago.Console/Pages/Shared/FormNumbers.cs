using System.Globalization;
using Imago.Core.Errors;

namespace Imago.WebConsole.Pages.Shared;

/// <summary>
/// A form's number field read as the API reads the parameter it stands for: empty is "not given", anything else must
/// be an integer in range or the action is refused with the API's InvalidParameter message. (Bound as int?, a
/// malformed value would silently become "not given" and the action would run with its default.)
/// </summary>
public static class FormNumbers
{
    public static int? OptionalInt(string? text, string parameter, int min = 1, int max = int.MaxValue)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw EcsErrors.InvalidParameter(parameter, $"It must be an integer from {min} to {max}.");
    }
}
