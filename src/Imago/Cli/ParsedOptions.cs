namespace Imago.Cli;

/// <summary>Options and operands of one command line, as <see cref="OptionParser"/> found them.</summary>
public sealed class ParsedOptions(Dictionary<string, List<string>> values, HashSet<string> flags, List<string> operands)
{
    public IReadOnlyList<string> Operands => operands;

    public bool Has(string name) => flags.Contains(name) || values.ContainsKey(name);

    /// <summary>The option's value (the last one when repeated), or null.</summary>
    public string? Value(string name) => values.TryGetValue(name, out var list) ? list[^1] : null;

    /// <summary>Every value given for a repeatable option, in order (qemu-img joins repeated -o with commas).</summary>
    public IReadOnlyList<string> Values(string name) => values.TryGetValue(name, out var list) ? list : [];
}
