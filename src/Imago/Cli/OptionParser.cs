namespace Imago.Cli;

/// <summary>
/// A getopt-style parser matching qemu-img's syntax: short options with separate or attached values
/// (<c>-f raw</c>, <c>-fraw</c>), bundled flags (<c>-pc</c>), long options (<c>--output json</c>,
/// <c>--output=json</c>), options anywhere among the operands, and <c>--</c> to end options.
/// Hand-written rather than System.CommandLine because qemu-img's exact syntax is the contract.
/// </summary>
public sealed class OptionParser
{
    private readonly HashSet<string> _withValue;
    private readonly HashSet<string> _flags;

    /// <param name="withValue">Options that take a value, e.g. "-f", "--output".</param>
    /// <param name="flags">Options without a value, e.g. "-c", "-p".</param>
    public OptionParser(IEnumerable<string> withValue, IEnumerable<string> flags)
    {
        _withValue = new HashSet<string>(withValue, StringComparer.Ordinal);
        _flags = new HashSet<string>(flags, StringComparer.Ordinal);
    }

    public ParsedOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var operands = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                operands.AddRange(args.Skip(i + 1));
                break;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = arg.IndexOf('=');
                var name = eq < 0 ? arg : arg[..eq];
                if (_flags.Contains(name) && eq < 0)
                {
                    flags.Add(name);
                }
                else if (_withValue.Contains(name))
                {
                    Add(values, name, eq >= 0 ? arg[(eq + 1)..] : TakeValue(args, ref i, name));
                }
                else
                {
                    throw new UsageException($"unrecognized option '{name}'");
                }
            }
            else if (arg.Length > 1 && arg[0] == '-')
            {
                // A bundle of short flags, possibly ending in one option that takes a value.
                for (var j = 1; j < arg.Length; j++)
                {
                    var name = "-" + arg[j];
                    if (_flags.Contains(name))
                    {
                        flags.Add(name);
                    }
                    else if (_withValue.Contains(name))
                    {
                        Add(values, name, j + 1 < arg.Length ? arg[(j + 1)..] : TakeValue(args, ref i, name));
                        break;
                    }
                    else
                    {
                        throw new UsageException($"invalid option -- '{arg[j]}'");
                    }
                }
            }
            else
            {
                operands.Add(arg);
            }
        }

        return new ParsedOptions(values, flags, operands);
    }

    private static string TakeValue(IReadOnlyList<string> args, ref int i, string name)
    {
        if (i + 1 >= args.Count)
        {
            throw new UsageException($"option '{name}' requires an argument");
        }

        return args[++i];
    }

    private static void Add(Dictionary<string, List<string>> values, string name, string value)
    {
        if (!values.TryGetValue(name, out var list))
        {
            values[name] = list = [];
        }

        list.Add(value);
    }
}
