namespace Imago.Formats.Checking;

/// <summary>
/// The messages of one check, bounded: past <paramref name="capacity"/> lines only a count is kept and reported
/// as "... and N more", so that a hostile file with millions of bad entries costs a counter, not millions of strings.
/// </summary>
internal sealed class CheckMessages(int capacity)
{
    private readonly List<string> _messages = [];
    private long _suppressed;

    /// <summary>True while another message fits (a checker may skip building one that would not).</summary>
    public bool HasRoom => _messages.Count < capacity;

    public void Add(string message)
    {
        if (HasRoom)
        {
            _messages.Add(message);
        }
        else
        {
            _suppressed++;
        }
    }

    /// <summary>Counts a message that was not even built because there was no room for it.</summary>
    public void Suppress() => _suppressed++;

    /// <summary>The kept messages, then "... and N more" when some were left out.</summary>
    public IReadOnlyList<string> ToList()
    {
        var messages = _messages.ToList();
        if (_suppressed > 0)
        {
            messages.Add($"... and {_suppressed} more");
        }

        return messages;
    }
}
