using System.Globalization;
using Imago.Data.Entities;

namespace Imago.Api.Actions.Tasks;

/// <summary>Task fields as DescribeTasks/DescribeTaskAttribute show them.</summary>
internal static class TaskJson
{
    /// <summary>The task actions' documented time shape, <c>yyyy-MM-ddTHH:mmZ</c> (UTC); empty while unfinished.</summary>
    public static string Time(DateTime? utc) =>
        utc is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture) : "";

    public static string SupportCancel(TaskEntity task) => task.SupportCancel ? "true" : "false";

    /// <summary>FailedReason is stored as <c>Code: message</c>.</summary>
    public static (string Code, string Message) Failure(TaskEntity task)
    {
        if (task.FailedReason.Length == 0)
        {
            return ("", "");
        }

        var colon = task.FailedReason.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 ? (task.FailedReason[..colon], task.FailedReason[(colon + 2)..]) : ("InternalError", task.FailedReason);
    }
}
